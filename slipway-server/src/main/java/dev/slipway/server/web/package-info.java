/** Server-rendered HTML: the model index, each model's try-it form and its API console. */
package dev.slipway.server.web;
