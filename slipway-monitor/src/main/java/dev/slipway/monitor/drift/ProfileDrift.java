package dev.slipway.monitor.drift;

import dev.slipway.api.Record;
import dev.slipway.guard.profile.DataProfile;
import dev.slipway.guard.profile.FeatureProfile;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Drift of a window of records against a version's data profile (the training data's baseline):
 * numeric features against the profile's reference sample, categorical ones against its
 * frequencies. Values outside the categories the profile kept count as {@link #OTHER}. Stateless.
 */
public final class ProfileDrift {
  /** The bucket of categories the profile did not keep. */
  public static final String OTHER = "(other)";

  private ProfileDrift() {}

  /**
   * The drift of one feature; exactly one of {@code numeric} and {@code categorical} is set, or
   * neither when the window has too few values of it (fewer than 2 numbers, no category).
   *
   * @param feature the feature
   * @param windowValues present values of the feature in the window
   * @param numeric statistics of a numeric feature, or null
   * @param categorical statistics of a categorical feature, or null
   */
  public record FeatureDrift(
      String feature, long windowValues, Drift.Numeric numeric, Drift.Categorical categorical) {
    /** The statistics that flag drift (empty: none, or not enough data). */
    public List<String> drifted() {
      if (numeric != null) {
        return numeric.drifted();
      }
      return categorical == null ? List.of() : categorical.drifted();
    }
  }

  /** The drift of every profiled feature over the window, in the profile's order. */
  public static List<FeatureDrift> compare(DataProfile reference, List<Record> window) {
    List<FeatureDrift> out = new ArrayList<>();
    for (FeatureProfile f : reference.features()) {
      if (!f.categorical()) {
        double[] ref = f.sample().stream().mapToDouble(Double::doubleValue).toArray();
        List<Double> cur = new ArrayList<>();
        for (Record r : window) {
          Object v = r.get(f.name());
          if (v instanceof Number n) {
            double d = n instanceof BigInteger b ? b.doubleValue() : n.doubleValue();
            if (Double.isFinite(d)) {
              cur.add(d);
            }
          }
        }
        Drift.Numeric d =
            ref.length >= 2 && cur.size() >= 2
                ? Drift.numeric(ref, cur.stream().mapToDouble(Double::doubleValue).toArray())
                : null;
        out.add(new FeatureDrift(f.name(), cur.size(), d, null));
      } else {
        Map<String, Long> ref = new LinkedHashMap<>(f.frequencies());
        if (f.otherCount() != null && f.otherCount() > 0) {
          ref.put(OTHER, f.otherCount());
        }
        Map<String, Long> cur = new LinkedHashMap<>();
        long n = 0;
        for (Record r : window) {
          Object v = r.get(f.name());
          if (v == null) {
            continue;
          }
          String key = String.valueOf(v);
          if (!f.frequencies().containsKey(key) && ref.containsKey(OTHER)) {
            key = OTHER;
          }
          cur.merge(key, 1L, Long::sum);
          n++;
        }
        Drift.Categorical d = n > 0 && !ref.isEmpty() ? Drift.categorical(ref, cur) : null;
        out.add(new FeatureDrift(f.name(), n, null, d));
      }
    }
    return out;
  }
}
