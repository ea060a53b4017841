package dev.slipway.runtime.xgboost;

/** A model file is truncated, damaged or not an XGBoost JSON/UBJSON model. */
final class DamagedModelException extends Exception {
  DamagedModelException(String message) {
    super(message);
  }
}
