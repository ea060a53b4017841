package dev.slipway.guard.profile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.api.Record;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.Size;

class QuantileProperties {

  @Property(tries = 200)
  void quantilesAreOrderedWithinTheRangeAndMatchTheSortedDefinition(
      @ForAll @Size(min = 1, max = 300) List<@DoubleRange(min = -1e6, max = 1e6) Double> xs) {
    List<Record> rows = new ArrayList<>();
    xs.forEach(x -> rows.add(Record.of(Map.of("x", x))));
    FeatureProfile p = DataProfile.of(rows).feature("x").orElseThrow();
    double[] sorted = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double previous = Double.NEGATIVE_INFINITY;
    for (double level : DataProfile.LEVELS) {
      double q = p.quantile(level);
      assertThat(q).isBetween(p.min(), p.max()).isGreaterThanOrEqualTo(previous);
      previous = q;
      // type 7: at least ceil(level*(n-1)) + 1 values are <= q
      long below = Arrays.stream(sorted).filter(v -> v <= q).count();
      assertThat(below).isGreaterThanOrEqualTo((long) Math.floor(level * (sorted.length - 1)) + 1);
    }
    assertThat(p.min()).isEqualTo(sorted[0]);
    assertThat(p.max()).isEqualTo(sorted[sorted.length - 1]);
  }
}
