/**
 * Output checks for one row of a model's answer: finiteness, declared ranges and a confidence
 * threshold below which the model abstains.
 */
package dev.slipway.guard.output;
