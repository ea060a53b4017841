/**
 * Filtering models of served versions: label held-out rows by the main model's outcome, train the
 * filter, keep it in the artifact store with a {@code filter} document on the version.
 */
package dev.slipway.server.filter;
