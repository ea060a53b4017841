package dev.slipway.batch;

import java.util.Objects;

/**
 * Database tables to write scored and rejected rows to, through JDBC (the embedded H2 database or
 * PostgreSQL). Both are created when missing, with typed columns; rows are appended to existing
 * ones only when the job finishes (see {@link BatchEngine}).
 *
 * @param url a JDBC URL; credentials may be in it (they never appear in messages)
 * @param table the output table ({@code name} or {@code schema.name})
 * @param rejectsTable the table for rejected rows and their reasons
 */
public record JdbcOutput(String url, String table, String rejectsTable) {
  public JdbcOutput {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(rejectsTable, "rejectsTable");
  }

  /** The output table with the default rejects table, {@code <table>_rejects}. */
  public static JdbcOutput of(String url, String table) {
    return new JdbcOutput(url, table, table + "_rejects");
  }

  /** The output, for messages: the URL without credentials. */
  public String describe() {
    return Jdbc.redact(url) + " table " + table;
  }
}
