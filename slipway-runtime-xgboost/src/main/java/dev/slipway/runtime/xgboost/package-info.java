/**
 * XGBoost models on xgboost4j's native library: {@link dev.slipway.runtime.xgboost.XgboostFormat}
 * is the {@code xgboost} {@link dev.slipway.api.ModelFormat} (JSON and UBJSON model files); {@link
 * dev.slipway.runtime.xgboost.XgboostPredictor} is a thread-safe predictor whose native booster is
 * freed on close, never while a call runs.
 */
package dev.slipway.runtime.xgboost;
