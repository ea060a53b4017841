package dev.slipway.serving.guard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.slipway.api.Record;
import dev.slipway.guard.input.InputGuard;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code guards} section read on its own, as the Spark runner reads it (the server's reading of
 * a whole slipway.yaml is tested in slipway-server).
 */
class GuardConfigTest {
  private static JsonNode yaml(String text) throws Exception {
    return new ObjectMapper(new YAMLFactory()).readTree(text);
  }

  @Test
  void aSectionAloneBecomesTheSpecItDescribes() throws Exception {
    List<String> problems = new ArrayList<>();
    GuardSpec spec =
        GuardConfig.parse(
            yaml(
                """
                inputs:
                  features: {user_age: impute, device: heuristic}
                fallback: [heuristic]
                heuristic:
                  otherwise: {label: no_click, score: 0.046}
                """),
            "guards",
            problems);

    assertThat(problems).isEmpty();
    assertThat(spec.inputPolicy()).isEqualTo(InputGuard.Policy.REJECT);
    assertThat(spec.featurePolicies())
        .containsEntry("user_age", InputGuard.Policy.IMPUTE)
        .containsEntry("device", InputGuard.Policy.HEURISTIC);
    assertThat(spec.heuristic().answer(Record.of(Map.of()))).containsEntry("score", 0.046);
  }

  @Test
  void problemsNameTheKeyUnderTheGivenPathAndNoSpecIsMade() throws Exception {
    List<String> problems = new ArrayList<>();
    GuardSpec spec =
        GuardConfig.parse(
            yaml("inputs: {policy: ignore}\nretries: 3\n"), "guards.ad-click", problems);

    assertThat(spec).isNull();
    assertThat(problems)
        .containsExactlyInAnyOrder(
            "guards.ad-click.inputs.policy: got \"ignore\", expected reject, impute or heuristic",
            "guards.ad-click.retries: unknown setting; known: [breaker, fallback, heuristic,"
                + " inputs, outputs]");
  }
}
