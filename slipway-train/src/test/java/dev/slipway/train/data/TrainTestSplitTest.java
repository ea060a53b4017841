package dev.slipway.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TrainTestSplitTest {
  private final List<Integer> rows = IntStream.range(0, 1_000).boxed().toList();

  @Test
  void holdsOutTheRequestedFraction() {
    TrainTestSplit<Integer> split = TrainTestSplit.of(rows, 0.2, 1);
    assertThat(split.test()).hasSize(200);
    assertThat(split.train()).hasSize(800);
  }

  @Test
  void everyRowLandsInExactlyOnePartInItsOriginalOrder() {
    TrainTestSplit<Integer> split = TrainTestSplit.of(rows, 0.3, 2);
    List<Integer> all = new ArrayList<>(split.train());
    all.addAll(split.test());
    assertThat(all).containsExactlyInAnyOrderElementsOf(rows);
    assertThat(split.train()).isSorted();
    assertThat(split.test()).isSorted();
  }

  @Test
  void sameSeedSplitsTheSameWayAndAnotherSeedDoesNot() {
    assertThat(TrainTestSplit.of(rows, 0.2, 5)).isEqualTo(TrainTestSplit.of(rows, 0.2, 5));
    assertThat(TrainTestSplit.of(rows, 0.2, 5).test())
        .isNotEqualTo(TrainTestSplit.of(rows, 0.2, 6).test());
  }

  @Test
  void heldOutRowsAreSpreadOverTheWholeList() {
    TrainTestSplit<Integer> split = TrainTestSplit.of(rows, 0.5, 3);
    assertThat(split.test().stream().filter(i -> i < 500).count()).isBetween(200L, 300L);
  }

  @Test
  void fractionOutsideZeroToOneIsRefused() {
    assertThatThrownBy(() -> TrainTestSplit.of(rows, 1.5, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1.5");
    assertThatThrownBy(() -> TrainTestSplit.of(rows, Double.NaN, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
