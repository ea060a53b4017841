package dev.slipway.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.api.Field;
import dev.slipway.api.Record;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdClickGeneratorTest {

  @Test
  void sameSeedGeneratesIdenticalRecords() {
    assertThat(new AdClickGenerator(42).generate(2_000))
        .isEqualTo(new AdClickGenerator(42).generate(2_000));
  }

  @Test
  void differentSeedsGenerateDifferentRecords() {
    List<Record> a = new AdClickGenerator(1).generate(100);
    List<Record> b = new AdClickGenerator(2).generate(100);
    long same = 0;
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i).equals(b.get(i))) {
        same++;
      }
    }
    assertThat(same).isZero();
  }

  @Test
  void fewerRecordsAreAPrefixOfMore() {
    AdClickGenerator generator = new AdClickGenerator(9);
    assertThat(generator.generate(1_000).subList(0, 100)).isEqualTo(generator.generate(100));
  }

  @Test
  void clicksAreBetweenTwoAndEightPercentOfImpressions() {
    for (long seed = 1; seed <= 3; seed++) {
      List<Record> records = new AdClickGenerator(seed).generate(20_000);
      double rate =
          records.stream().filter(r -> AdClickGenerator.CLICK.equals(r.get("clicked"))).count()
              / 20_000.0;
      assertThat(rate).as("click rate with seed %d", seed).isBetween(0.02, 0.08);
    }
  }

  @Test
  void recordsHoldTheSchemaFieldsInOrderThenTheLabel() {
    AdClickGenerator generator = new AdClickGenerator(3);
    List<String> expected = new ArrayList<>(generator.schema().names());
    expected.add(AdClickGenerator.LABEL);
    assertThat(generator.schema().names())
        .containsExactly(
            "hour",
            "ad_position",
            "user_past_ctr",
            "user_age",
            "device",
            "site_category",
            "ad_size");
    assertThat(generator.schema().field(AdClickGenerator.LABEL)).isEmpty();
    for (Record r : generator.generate(50)) {
      assertThat(List.copyOf(r.names())).isEqualTo(expected);
      assertThat(r.get(AdClickGenerator.LABEL))
          .isIn(AdClickGenerator.CLICK, AdClickGenerator.NO_CLICK);
    }
  }

  @Test
  void valuesStayWithinTheSchemaRangesAndDomains() {
    AdClickGenerator generator = new AdClickGenerator(5);
    List<Record> records = generator.generate(20_000);
    for (Field f : generator.schema().fields()) {
      for (Record r : records) {
        Object v = r.get(f.name());
        if (f.type().isNumeric()) {
          assertThat(v).isInstanceOf(f.type().isIntegral() ? Long.class : Double.class);
          assertThat(((Number) v).doubleValue()).isBetween(f.min(), f.max());
        } else {
          assertThat(f.domain()).contains((String) v);
        }
      }
    }
    // every category and every hour occurs
    for (Field f : generator.schema().fields()) {
      if (!f.domain().isEmpty()) {
        assertThat(records.stream().map(r -> r.get(f.name())).distinct())
            .containsExactlyInAnyOrderElementsOf(f.domain());
      }
    }
    assertThat(records.stream().map(r -> r.get("hour")).distinct()).hasSize(24);
  }

  @Test
  void pastClickThroughRateIsSkewedLow() {
    List<Record> records = new AdClickGenerator(11).generate(10_000);
    double[] ctr =
        records.stream().mapToDouble(r -> (Double) r.get("user_past_ctr")).sorted().toArray();
    double median = ctr[ctr.length / 2];
    double mean = java.util.Arrays.stream(ctr).average().orElseThrow();
    assertThat(median).isLessThan(0.06);
    assertThat(mean).isGreaterThan(median);
  }

  @Test
  void groundTruthLogitRanksClicksAboveNonClicks() {
    List<Record> records = new AdClickGenerator(13).generate(20_000);
    double clicks = 0;
    double others = 0;
    int nClicks = 0;
    for (Record r : records) {
      if (AdClickGenerator.CLICK.equals(r.get(AdClickGenerator.LABEL))) {
        clicks += AdClickGenerator.groundTruthLogit(r);
        nClicks++;
      } else {
        others += AdClickGenerator.groundTruthLogit(r);
      }
    }
    assertThat(clicks / nClicks).isGreaterThan(others / (records.size() - nClicks) + 0.5);
  }

  @Test
  void csvHasAHeaderAndOneLinePerRecord(@TempDir Path dir) throws Exception {
    AdClickGenerator generator = new AdClickGenerator(17);
    Path file = dir.resolve("ad-clicks.csv");
    generator.writeCsv(file, 3);
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertThat(lines)
        .hasSize(4)
        .first()
        .isEqualTo("hour,ad_position,user_past_ctr,user_age,device,site_category,ad_size,clicked");
    Record first = generator.generate(1).get(0);
    assertThat(lines.get(1).split(","))
        .containsExactly(
            first.asMap().values().stream().map(String::valueOf).toArray(String[]::new));
  }

  @Test
  void negativeCountIsRefused() {
    assertThatThrownBy(() -> new AdClickGenerator(1).generate(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
  }

  @Test
  void theShiftedMarketMovesFeatureFrequenciesAndWhatDrivesClicks() {
    List<Record> before = new AdClickGenerator(5).generate(20_000);
    List<Record> after = AdClickGenerator.shifted(5).generate(20_000);
    assertThat(AdClickGenerator.shifted(5).isShifted()).isTrue();
    assertThat(new AdClickGenerator(5).isShifted()).isFalse();
    assertThat(share(before, "device", "tablet")).isBetween(0.08, 0.12);
    assertThat(share(after, "device", "tablet")).isBetween(0.57, 0.63);
    assertThat(meanAge(after)).isGreaterThan(meanAge(before) + 8);
    double rate =
        after.stream().filter(r -> AdClickGenerator.CLICK.equals(r.get("clicked"))).count()
            / 20_000.0;
    assertThat(rate).isBetween(0.02, 0.10);
    // the old ground truth, the best any model of the old market can do, ranks the new clicks
    // clearly worse than it ranks the old ones
    assertThat(truthAuc(after)).isLessThan(truthAuc(before) - 0.05);
    for (Record r : after) {
      for (Field f : AdClickGenerator.shifted(5).schema().fields()) {
        Object v = r.get(f.name());
        if (f.domain().isEmpty()) {
          assertThat(((Number) v).doubleValue()).isBetween(f.min(), f.max());
        } else {
          assertThat(f.domain()).contains((String) v);
        }
      }
    }
  }

  private static double share(List<Record> records, String field, String value) {
    return records.stream().filter(r -> value.equals(r.get(field))).count()
        / (double) records.size();
  }

  private static double meanAge(List<Record> records) {
    return records.stream().mapToLong(r -> (Long) r.get("user_age")).average().orElseThrow();
  }

  private static double truthAuc(List<Record> records) {
    double[] scores = new double[records.size()];
    boolean[] clicked = new boolean[records.size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = AdClickGenerator.groundTruthLogit(records.get(i));
      clicked[i] = AdClickGenerator.CLICK.equals(records.get(i).get(AdClickGenerator.LABEL));
    }
    return dev.slipway.train.metrics.Metrics.auc(scores, clicked);
  }
}
