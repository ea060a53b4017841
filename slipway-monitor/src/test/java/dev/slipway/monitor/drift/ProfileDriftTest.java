package dev.slipway.monitor.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.api.Record;
import dev.slipway.guard.profile.DataProfile;
import dev.slipway.train.data.AdClickGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Drift of a window of ad-click records against the training data's profile. */
class ProfileDriftTest {
  static final AdClickGenerator TRAINING = new AdClickGenerator(42);
  static final DataProfile PROFILE = DataProfile.of(TRAINING.schema(), TRAINING.generate(20_000));

  static Map<String, List<String>> drifted(List<Record> window) {
    return ProfileDrift.compare(PROFILE, window).stream()
        .collect(
            Collectors.toMap(
                ProfileDrift.FeatureDrift::feature, ProfileDrift.FeatureDrift::drifted));
  }

  @Test
  void aWindowFromTheSameDistributionShowsNoDriftOnAnyFeature() {
    Map<String, List<String>> d = drifted(new AdClickGenerator(7).generate(3_000));
    assertThat(d).hasSize(TRAINING.schema().fields().size());
    d.forEach((feature, flags) -> assertThat(flags).as(feature).isEmpty());
  }

  @Test
  void olderUsersAndANewDeviceAreFlaggedAndNothingElse() {
    List<Record> window = new ArrayList<>();
    int i = 0;
    for (Record r : new AdClickGenerator(7).generate(3_000)) {
      long age = ((Number) r.get("user_age")).longValue();
      window.add(
          r.with(
              Map.of("user_age", age + 15, "device", i++ % 3 == 0 ? "smart-tv" : r.get("device"))));
    }
    Map<String, List<String>> d = drifted(window);
    assertThat(d.get("user_age")).contains("ks", "psi", "wasserstein");
    assertThat(d.get("device")).contains("chi_square", "l_infinity");
    assertThat(d.get("hour")).isEmpty();
    assertThat(d.get("site_category")).isEmpty();
  }

  @Test
  void theProfileKeepsASortedReferenceSampleThatSurvivesYaml() {
    var age = PROFILE.feature("user_age").orElseThrow();
    assertThat(age.sample()).hasSize(DataProfile.REFERENCE_SAMPLE).isSorted();
    assertThat(DataProfile.fromYaml(PROFILE.toYaml())).isEqualTo(PROFILE);
  }
}
