package dev.slipway.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelNotFoundException;
import org.junit.jupiter.api.Test;

/** Editable documents kept with a version (the data profile): stored, replaced, audited. */
abstract class DocumentContract extends RegistryFeature {

  @Test
  void aStoredDocumentIsReadBackAndAReplacementIsAudited() {
    register("m", "1");
    assertThat(registry().document("m", 1, "profile")).isEmpty();

    registry().putDocument("m", 1, "profile", "rows: 10\n", "alice");
    registry().putDocument("m", 1, "profile", "rows: 11\n", "bob");

    assertThat(registry().document("m", 1, "profile")).hasValue("rows: 11\n");
    AuditEntry last = registry().audit("m").get(0);
    assertThat(last.action()).isEqualTo(AuditEntry.DOCUMENT_PUT);
    assertThat(last.actor()).isEqualTo("bob");
    assertThat(last.version()).isEqualTo(1);
    assertThat(last.detail())
        .contains("\"kind\":\"profile\"")
        .contains("\"previous_sha256\":\"")
        .contains("\"characters\":9");
  }

  @Test
  void documentsBelongToOneVersionAndKind() {
    register("m", "1");
    register("m", "2");
    registry().putDocument("m", 1, "profile", "one", "a");
    registry().putDocument("m", 2, "guards", "two", "a");
    assertThat(registry().document("m", 2, "profile")).isEmpty();
    assertThat(registry().document("m", 1, "guards")).isEmpty();
    assertThat(registry().document("m", 2, "guards")).hasValue("two");
  }

  @Test
  void storingTheSameTextAgainChangesNothing() {
    register("m", "1");
    registry().putDocument("m", 1, "profile", "same", "a");
    long before = registry().changeSequence();
    int entries = registry().audit("m").size();
    registry().putDocument("m", 1, "profile", "same", "b");
    assertThat(registry().changeSequence()).isEqualTo(before);
    assertThat(registry().audit("m")).hasSize(entries);
  }

  @Test
  void aReplacementIsAChangeOtherProcessesSee() {
    register("m", "1");
    long before = registry().changeSequence();
    registry().putDocument("m", 1, "profile", "x", "a");
    assertThat(registry().changeSequence()).isGreaterThan(before);
  }

  @Test
  void unknownVersionsAndBadKindsAreRefusedNamingThem() {
    register("m", "1");
    assertThatThrownBy(() -> registry().putDocument("m", 9, "profile", "x", "a"))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("9");
    assertThatThrownBy(() -> registry().document("nope", 1, "profile"))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("nope");
    assertThatThrownBy(() -> registry().putDocument("m", 1, "Bad Kind", "x", "a"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("kind");
    assertThatThrownBy(() -> registry().putDocument("m", 1, "profile", null, "a"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("content");
  }
}
