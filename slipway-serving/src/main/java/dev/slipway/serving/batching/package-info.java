/**
 * Dynamic batching: concurrent requests to one model are queued and run together, up to a maximum
 * batch size or a maximum queue delay, as Triton's dynamic batcher does.
 */
package dev.slipway.serving.batching;
