package dev.slipway.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The audit log and the change sequence. */
abstract class AuditContract extends RegistryFeature {

  @Test
  void aRegistrationIsAuditedAtItsTimeByItsCreator() {
    ModelVersion v =
        registry().register(new Registration("m", file("abc"), "onnx", null, null, null, "alice"));

    assertThat(registry().audit("m"))
        .containsExactly(
            new AuditEntry(
                1,
                v.createdAt(),
                "alice",
                AuditEntry.REGISTER,
                "m",
                1,
                null,
                "{\"format\":\"onnx\",\"sha256\":\"" + v.sha256() + "\",\"sizeBytes\":3}",
                null,
                false));
  }

  @Test
  void anotherModulesChangeCommitsWithItsAuditEntryOrNotAtAll() {
    register("m", "1");
    long before = registry().changeSequence();
    long id =
        registry()
            .auditedChange(
                "m",
                1,
                "rollout.advance",
                java.util.Map.of("percent", 25),
                "slipway-canary",
                "better",
                (c, change) -> {
                  try (java.sql.Statement st = c.createStatement()) {
                    st.executeUpdate(
                        "INSERT INTO traffic_policy VALUES ('m', '{}', CURRENT_TIMESTAMP, 'x')");
                  }
                });
    assertThat(id).isEqualTo(before + 1);
    AuditEntry e = registry().audit("m", 1).get(0);
    assertThat(e.action()).isEqualTo("rollout.advance");
    assertThat(e.detail()).isEqualTo("{\"percent\":25}");
    assertThat(e.reason()).isEqualTo("better");

    // work that fails rolls the whole change back: no audit entry, no sequence number used
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                registry()
                    .auditedChange(
                        "m",
                        null,
                        "rollout.advance",
                        null,
                        "x",
                        null,
                        (c, change) -> {
                          throw new dev.slipway.api.ConflictException("moved on");
                        }))
        .isInstanceOf(dev.slipway.api.ConflictException.class);
    assertThat(registry().changeSequence()).isEqualTo(id);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> registry().auditedChange("m", null, "alias.move", null, "x", null, null))
        .isInstanceOf(dev.slipway.api.InvalidInputException.class)
        .hasMessageContaining("action");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> registry().auditedChange("nope", null, "rollout.start", null, "x", null, null))
        .isInstanceOf(dev.slipway.api.ModelNotFoundException.class);
  }

  @Test
  void everyKindOfChangeIsAuditedNewestFirst() {
    registerBlessed("m", "1");
    register("m", "2");
    registry().recordVerification("m", 2, true, "ok");
    registry().setAlias("m", "champion", 1, "alice", "first", false);
    registry().setAlias("m", "champion", 2, "bob", "forced", true);
    registry().setTag("m", 2, "k", "v", "carol");
    registry().removeTag("m", 2, "k", "carol");
    registry().removeAlias("m", "champion", "dave", "retired");

    List<AuditEntry> audit = registry().audit("m");

    assertThat(audit)
        .extracting(AuditEntry::action)
        .containsExactly(
            AuditEntry.ALIAS_REMOVE,
            AuditEntry.TAG_REMOVE,
            AuditEntry.TAG_SET,
            AuditEntry.ALIAS_MOVE,
            AuditEntry.ALIAS_SET,
            AuditEntry.VERIFY,
            AuditEntry.REGISTER,
            AuditEntry.GATE,
            AuditEntry.REGISTER);
    assertThat(audit)
        .extracting(AuditEntry::id)
        .containsExactly(9L, 8L, 7L, 6L, 5L, 4L, 3L, 2L, 1L);
    assertThat(audit).extracting(AuditEntry::at).isSortedAccordingTo((a, b) -> b.compareTo(a));
    assertThat(audit)
        .extracting(AuditEntry::actor)
        .containsExactly(
            "dave",
            "carol",
            "carol",
            "bob",
            "alice",
            "slipway-verifier",
            "tester",
            "slipway-gate",
            "tester");
    assertThat(audit)
        .extracting(AuditEntry::forced)
        .containsExactly(false, false, false, true, false, false, false, false, false);
    assertThat(audit.get(0).reason()).isEqualTo("retired");
    assertThat(audit.get(0).alias()).isEqualTo("champion");
    assertThat(audit.get(0).version()).isEqualTo(2);
    assertThat(audit.get(0).detail()).isEqualTo("{\"from\":2}");
    assertThat(audit.get(4).detail()).isEqualTo("{\"from\":null,\"to\":1}");
    assertThat(audit.get(5).detail()).isEqualTo("{\"status\":\"VERIFIED\",\"message\":\"ok\"}");
    assertThat(audit.get(7).detail())
        .isEqualTo("{\"verdict\":\"BLESSED\",\"numbers\":{\"auc\":0.9}}");
  }

  @Test
  void auditTimesComeFromTheRegistrysClock() {
    register("m", "1");
    registry().setTag("m", 1, "k", "v", "x");
    Verification verification = registry().recordVerification("m", 1, true, null);

    List<AuditEntry> audit = registry().audit("m");

    assertThat(audit.get(2).at()).isEqualTo(ModelRegistryContract.T0);
    assertThat(audit.get(1).at()).isAfter(ModelRegistryContract.T0);
    assertThat(audit.get(0).at()).isEqualTo(verification.at());
  }

  @Test
  void theAuditLogBelongsToOneModel() {
    register("a", "1");
    register("b", "2");
    registry().setTag("b", 1, "k", "v", "x");

    assertThat(registry().audit("a")).extracting(AuditEntry::model).containsOnly("a").hasSize(1);
    assertThat(registry().audit("b")).extracting(AuditEntry::model).containsOnly("b").hasSize(2);
  }

  @Test
  void theNewestEntriesCanBeLimited() {
    for (int i = 0; i < 5; i++) {
      register("m", "content " + i);
    }

    assertThat(registry().audit("m", 2)).extracting(AuditEntry::version).containsExactly(5, 4);
    assertInvalid("limit", () -> registry().audit("m", 0));
  }

  @Test
  void theAuditLogOfAnUnknownModelIsNotFound() {
    assertNotFound("'nope'", () -> registry().audit("nope"));
  }

  // ------------------------------------------------------------------ change sequence

  @Test
  void anEmptyRegistryHasChangeSequenceZero() {
    assertThat(registry().changeSequence()).isZero();
    assertThat(registry().changesSince(0, 10)).isEmpty();
  }

  @Test
  void theChangeSequenceGrowsByOnePerChange() {
    register("m", "1");
    assertThat(registry().changeSequence()).isEqualTo(1);
    registry().setAlias("m", "staging", 1, "x", null, false);
    assertThat(registry().changeSequence()).isEqualTo(2);
    registry().setTag("m", 1, "k", "v", "x");
    assertThat(registry().changeSequence()).isEqualTo(3);
    assertThat(registry().changeSequence()).isEqualTo(registry().audit("m").get(0).id());
  }

  @Test
  void refusedAndEmptyChangesLeaveTheSequenceAlone() {
    register("m", "1");
    registry().setAlias("m", "staging", 1, "x", null, false);
    long before = registry().changeSequence();

    registry().setAlias("m", "staging", 1, "x", null, false);
    assertNotFound("version 9", () -> registry().setAlias("m", "staging", 9, "x", null, false));
    assertConflict(
        "no gate result", () -> registry().setAlias("m", "champion", 1, "x", null, false));
    assertInvalid("alias", () -> registry().setAlias("m", "latest", 1, "x", null, false));

    assertThat(registry().changeSequence()).isEqualTo(before);
    // The next change takes the next number: refused changes left no gap.
    registry().setTag("m", 1, "k", "v", "x");
    assertThat(registry().audit("m").get(0).id()).isEqualTo(before + 1);
  }

  @Test
  void anotherRegistryOnTheSameDatabaseSeesTheSequenceMoveAndReadsWhatChanged() {
    ModelRegistry poller = open();
    long seen = poller.changeSequence();

    register("a", "1");
    register("b", "2");
    registry().setAlias("a", "staging", 1, "x", null, false);

    assertThat(poller.changeSequence()).isEqualTo(seen + 3);
    List<AuditEntry> changes = poller.changesSince(seen, 100);
    assertThat(changes).extracting(AuditEntry::id).containsExactly(seen + 1, seen + 2, seen + 3);
    assertThat(changes).extracting(AuditEntry::model).containsExactly("a", "b", "a");
    assertThat(poller.changesSince(seen + 1, 1)).extracting(AuditEntry::model).containsExactly("b");
    assertInvalid("limit", () -> poller.changesSince(0, 0));
  }

  @Test
  void concurrentChangesGetConsecutiveAuditIds() throws Exception {
    int threads = 8;
    int perThread = 10;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Void>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        Callable<Void> task =
            () -> {
              start.await();
              for (int i = 0; i < perThread; i++) {
                ModelVersion v = register("m" + (thread % 2), "thread " + thread + " item " + i);
                registry().setTag(v.name(), v.version(), "thread", "" + thread, "t" + thread);
              }
              return null;
            };
        futures.add(pool.submit(task));
      }
      start.countDown();
      for (Future<Void> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }

    long total = 2L * threads * perThread;
    assertThat(registry().changeSequence()).isEqualTo(total);
    assertThat(registry().changesSince(0, Integer.MAX_VALUE))
        .extracting(AuditEntry::id)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
    assertThat(registry().audit("m0").size() + registry().audit("m1").size())
        .isEqualTo((int) total);
    assertThat(registry().versions("m0"))
        .allSatisfy(v -> assertThat(v.tags()).containsKey("thread"));
  }
}
