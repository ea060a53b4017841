package dev.slipway.bench.load;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} command-line options of the load tools. Stateless. */
final class Options {
  private Options() {}

  static Map<String, String> parse(String[] args) {
    if (args.length % 2 != 0) {
      throw new IllegalArgumentException("expected --option value pairs, got an odd count");
    }
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --option value, got " + args[i]);
      }
      options.put(args[i].substring(2), args[i + 1]);
    }
    return options;
  }

  static String required(Map<String, String> options, String name) {
    String v = options.get(name);
    if (v == null) {
      throw new IllegalArgumentException("missing --" + name);
    }
    return v;
  }

  static int integer(Map<String, String> options, String name, int fallback) {
    String v = options.get(name);
    return v == null ? fallback : Integer.parseInt(v);
  }

  static double number(Map<String, String> options, String name, double fallback) {
    String v = options.get(name);
    return v == null ? fallback : Double.parseDouble(v);
  }
}
