package dev.slipway.batch;

import dev.slipway.api.InvalidInputException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.regex.Pattern;

/** JDBC helpers shared by the table source and sink. Stateless. */
final class Jdbc {
  private static final Pattern IDENTIFIER =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");
  private static final Pattern SECRET = Pattern.compile("(?i)(password|passwd|pwd|secret)=[^&;]*");
  private static final Pattern USER_INFO = Pattern.compile("//[^/@]*@");

  private Jdbc() {}

  /** The URL with passwords and user info taken out, safe for messages and files. */
  static String redact(String url) {
    String s = SECRET.matcher(url).replaceAll("$1=***");
    return USER_INFO.matcher(s).replaceAll("//***@");
  }

  /**
   * Opens a connection.
   *
   * @throws InvalidInputException naming the option and the redacted URL when it cannot
   */
  static Connection connect(String url, String option) {
    if (!url.startsWith("jdbc:")) {
      throw InvalidInputException.of(
          option, redact(url), "a JDBC URL (jdbc:postgresql://… or jdbc:h2:…)");
    }
    try {
      return DriverManager.getConnection(url);
    } catch (SQLException e) {
      throw InvalidInputException.of(
          option, redact(url), "a database that can be reached (" + firstLine(e) + ")");
    }
  }

  /**
   * Checks a table or column name: letters, digits and underscores (with one optional {@code
   * schema.} prefix), so that it can be put into SQL as it is.
   */
  static String identifier(String name, String option) {
    if (name == null || !IDENTIFIER.matcher(name).matches()) {
      throw InvalidInputException.of(
          option, name, "a table or column name of letters, digits and _ (optionally schema.name)");
    }
    return name;
  }

  /**
   * A column name as SQL, always quoted: output columns such as {@code key}, {@code row} and {@code
   * hour} are keywords in H2. On PostgreSQL a quoted lower-case name is the same as the unquoted
   * one; on H2 the columns are lower case (quote them, or open H2 with {@code
   * DATABASE_TO_LOWER=TRUE}).
   */
  static String column(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /**
   * A result column's name as a feature name: databases that fold unquoted names to upper case (H2)
   * report {@code HOUR} for {@code hour}; such all-upper-case names are read in lower case.
   */
  static String featureName(String label) {
    return label.equals(label.toUpperCase(Locale.ROOT)) ? label.toLowerCase(Locale.ROOT) : label;
  }

  static String firstLine(Exception e) {
    return RowSource.firstLine(e.getMessage() == null ? e.toString() : e.getMessage());
  }
}
