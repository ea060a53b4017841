package dev.slipway.guard.heuristic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.api.Record;
import dev.slipway.guard.heuristic.Heuristic.Condition;
import dev.slipway.guard.heuristic.Heuristic.Op;
import dev.slipway.guard.heuristic.Heuristic.Rule;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeuristicTest {
  final Heuristic h =
      new Heuristic(
          List.of(
              new Rule(
                  List.of(
                      new Condition("ctr", Op.GE, 0.2),
                      new Condition("device", Op.IN, List.of("mobile", "tablet"))),
                  Map.of("label", "click", "score", 0.3)),
              new Rule(
                  List.of(new Condition("ctr", Op.MISSING, null)), Map.of("label", "unknown"))),
          Map.of("label", "no_click", "score", 0.046));

  @Test
  void theFirstMatchingRuleAnswersOtherwiseTheConstant() {
    assertThat(h.answer(Record.of(Map.of("ctr", 0.25, "device", "mobile"))))
        .containsEntry("label", "click");
    assertThat(h.answer(Record.of(Map.of("ctr", 0.25, "device", "desktop"))))
        .containsEntry("label", "no_click");
    assertThat(h.answer(Record.of(Map.of("device", "mobile")))).containsEntry("label", "unknown");
    assertThat(h.answer(Record.of(Map.of("ctr", 0.1)))).containsEntry("score", 0.046);
    assertThat(h.outputs()).containsExactlyInAnyOrder("label", "score");
  }

  @Test
  void numbersCompareAsNumbersWhateverTheirJavaType() {
    Condition c = new Condition("n", Op.EQ, 3L);
    assertThat(c.test(Record.of(Map.of("n", 3.0)))).isTrue();
    assertThat(new Condition("n", Op.LT, 2).test(Record.of(Map.of("n", "1")))).isFalse();
    assertThat(new Condition("n", Op.NE, "a").test(Record.of(Map.of("n", "b")))).isTrue();
  }

  @Test
  void badDeclarationsAreRefusedWithAReason() {
    assertThatThrownBy(() -> Op.parse("=~")).hasMessageContaining("unknown operator");
    assertThatThrownBy(() -> new Condition("x", Op.LT, "a")).hasMessageContaining("needs a number");
    assertThatThrownBy(() -> new Condition("x", Op.IN, 3)).hasMessageContaining("list");
    assertThatThrownBy(() -> Heuristic.constant(Map.of())).hasMessageContaining("otherwise");
  }
}
