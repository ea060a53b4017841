/**
 * Server-rendered HTML: the model index, each model's try-it form and its API console, each model's
 * monitoring dashboard, and the static scripts, styles and chart library those pages load from the
 * server itself.
 */
package dev.slipway.server.web;
