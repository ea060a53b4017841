/**
 * Heuristics declared in configuration: ordered rules over a few features and a constant answer,
 * evaluated without any model.
 */
package dev.slipway.guard.heuristic;
