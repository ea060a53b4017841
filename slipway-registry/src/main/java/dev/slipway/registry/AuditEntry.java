package dev.slipway.registry;

import java.time.Instant;
import java.util.Objects;

/**
 * One change to the registry, written in the same transaction as the change itself. Entries are
 * numbered by {@link #id()} in the order their transactions committed, without gaps, so {@link
 * ModelRegistry#changeSequence()} (the highest id) tells another process cheaply whether anything
 * changed.
 *
 * @param id the change's sequence number, from 1
 * @param at when the change was made (the registry's clock)
 * @param actor who made it
 * @param action what was done: one of the constants of this class, e.g. {@link #ALIAS_MOVE}
 * @param model the model's name
 * @param version the version concerned (the alias's new version for alias changes, the removed one
 *     for removals), or {@code null}
 * @param alias the alias concerned, or {@code null}
 * @param detail JSON text with the particulars (e.g. {@code {"from":2,"to":3}})
 * @param reason why, as the actor said, or {@code null}
 * @param forced whether the change overrode a rule (moving {@code champion} to a version that is
 *     not BLESSED)
 */
public record AuditEntry(
    long id,
    Instant at,
    String actor,
    String action,
    String model,
    Integer version,
    String alias,
    String detail,
    String reason,
    boolean forced) {

  /** A version was registered. */
  public static final String REGISTER = "version.register";

  /** An alias that did not exist was set. */
  public static final String ALIAS_SET = "alias.set";

  /** An existing alias was moved to another version. */
  public static final String ALIAS_MOVE = "alias.move";

  /** An alias was removed. */
  public static final String ALIAS_REMOVE = "alias.remove";

  /** A tag was set or changed on a version. */
  public static final String TAG_SET = "tag.set";

  /** A tag was removed from a version. */
  public static final String TAG_REMOVE = "tag.remove";

  /** A document (such as the data profile) was stored or replaced on a version. */
  public static final String DOCUMENT_PUT = "document.put";

  /** A verification result was recorded. */
  public static final String VERIFY = "version.verify";

  /** An evaluation-gate result was recorded. */
  public static final String GATE = "version.gate";

  public AuditEntry {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(detail, "detail");
  }
}
