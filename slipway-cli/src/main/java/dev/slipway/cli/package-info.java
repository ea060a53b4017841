/** The {@code slipway} command line: picocli commands over the public API. */
package dev.slipway.cli;
