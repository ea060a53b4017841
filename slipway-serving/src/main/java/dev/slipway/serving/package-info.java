/**
 * The online request path: {@link dev.slipway.serving.Pipeline} runs validate → enrich → preprocess
 * → infer → postprocess for one {@link dev.slipway.serving.InferenceRequest}, every stage timed,
 * whatever protocol the request came in by.
 */
package dev.slipway.serving;
