package dev.slipway.cli.client;

import dev.slipway.api.Record;
import java.util.List;

/** The labelled held-out data the evaluation gate scores versions on. Immutable. */
public sealed interface HeldOut {

  /** Labelled rows given by the caller (e.g. read from a CSV file). */
  record Rows(List<Record> records) implements HeldOut {
    public Rows {
      records = List.copyOf(records);
    }
  }

  /** Rows of the seeded ad-click demo generator, as the server's {@code generator} input. */
  record AdClick(long seed, int rows) implements HeldOut {}
}
