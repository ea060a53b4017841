package dev.slipway.batch;

import java.util.Objects;

/**
 * A database table or query to score, read through JDBC (the embedded H2 database or PostgreSQL).
 *
 * <p>A resumed job skips the rows it has done, so rows must come in the same order every time: a
 * table is read {@code ORDER BY} the job's key column (required), and a query must have an {@code
 * ORDER BY} of its own on a unique column.
 *
 * @param url a JDBC URL, e.g. {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres} or {@code
 *     jdbc:h2:file:/data/features}; credentials may be in it (they never appear in messages)
 * @param table a table name ({@code name} or {@code schema.name}), or null when {@code query} is
 *     given
 * @param query a SELECT with an ORDER BY, or null when {@code table} is given
 */
public record JdbcInput(String url, String table, String query) {
  public JdbcInput {
    Objects.requireNonNull(url, "url");
    if ((table == null) == (query == null)) {
      throw new IllegalArgumentException("give a table or a query, not both");
    }
  }

  /** What the input is, for messages and the checkpoint: the URL without credentials. */
  public String describe() {
    return Jdbc.redact(url) + (table != null ? " table " + table : " query " + query);
  }
}
