package dev.slipway.serving;

import java.util.Locale;

/** The stages every request goes through, in order. */
public enum Stage {
  VALIDATE,
  ENRICH,
  PREPROCESS,
  INFER,
  POSTPROCESS;

  /** The metric label, e.g. {@code "preprocess"}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
