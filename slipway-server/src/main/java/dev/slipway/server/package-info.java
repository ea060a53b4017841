/**
 * The Slipway server: {@link dev.slipway.server.SlipwayServer} wires configuration, registry, model
 * host, pipeline and the HTTP adapters on one port. The only place that knows every module.
 */
package dev.slipway.server;
