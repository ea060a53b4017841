/**
 * The registry as the CLI sees it: one {@link dev.slipway.cli.client.RegistryClient} interface with
 * two implementations, the embedded home opened in this process and a running server's REST API, so
 * that every command is written once and behaves the same in both modes.
 */
package dev.slipway.cli.client;
