/**
 * Conversions between rows ({@link dev.slipway.api.Record}) and columns ({@link
 * dev.slipway.api.Tensor}): the declared preprocessing of a model ({@link
 * dev.slipway.api.codec.TabularCodec}) and the plain one-column-per-input mapping of any model
 * ({@link dev.slipway.api.codec.ColumnCodec}). Only lossless casts are made; anything else is an
 * {@link dev.slipway.api.InvalidInputException} naming the field.
 */
package dev.slipway.api.codec;
