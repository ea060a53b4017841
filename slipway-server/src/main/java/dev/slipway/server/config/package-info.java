/**
 * {@code slipway.yaml}: read with environment overrides, validated as data, every problem reported
 * at once.
 */
package dev.slipway.server.config;
