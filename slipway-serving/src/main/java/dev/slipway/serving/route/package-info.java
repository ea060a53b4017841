/**
 * Traffic policies per model name: which version answers a request for a bare model name (A/B
 * weights, sticky or random assignment, Thompson-sampling bandit) and which version gets a shadow
 * copy of it. Explicit references ({@code name/3}, {@code name@alias}) never pass through here.
 */
package dev.slipway.serving.route;
