package dev.slipway.runtime.xgboost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/**
 * Reads a UBJSON document, as XGBoost writes its {@code .ubj} models, into a Jackson tree, checking
 * every length on the way.
 *
 * <p>Why: XGBoost's UBJSON reader trusts the lengths in its input; a truncated or damaged file
 * makes it copy past the end of its buffer and crash the JVM (SIGSEGV in {@code memcpy}, seen with
 * xgboost4j 3.0.4). This reader fails unless every length and count stays inside the input and the
 * document ends exactly at the last byte; the tree it returns is then checked by {@link
 * ModelCheck}.
 *
 * <p>Stateless; thread-safe.
 */
final class Ubjson {
  private static final int MAX_DEPTH = 128;
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final byte[] b;
  private int pos;

  private Ubjson(byte[] bytes) {
    this.b = bytes;
  }

  /** Parses {@code bytes}, which must hold exactly one well-formed UBJSON value. */
  static JsonNode parse(byte[] bytes) throws DamagedModelException {
    Ubjson u = new Ubjson(bytes);
    JsonNode value = u.value(u.marker(), 0);
    if (u.pos != bytes.length) {
      throw new DamagedModelException(
          "UBJSON value ends at byte " + u.pos + " of " + bytes.length + ": trailing bytes");
    }
    return value;
  }

  private byte marker() throws DamagedModelException {
    need(1);
    byte m = b[pos++];
    while (m == 'N') { // no-op
      need(1);
      m = b[pos++];
    }
    return m;
  }

  private JsonNode value(byte type, int depth) throws DamagedModelException {
    return switch (type) {
      case 'Z' -> NODES.nullNode();
      case 'T' -> NODES.booleanNode(true);
      case 'F' -> NODES.booleanNode(false);
      case 'i' -> NODES.numberNode((int) readBig(1));
      case 'U' -> NODES.numberNode((int) (readBig(1) & 0xff));
      case 'I' -> NODES.numberNode((int) readBig(2));
      case 'l' -> NODES.numberNode((int) readBig(4));
      case 'L' -> NODES.numberNode(readBig(8));
      case 'd' -> NODES.numberNode(Float.intBitsToFloat((int) readBig(4)));
      case 'D' -> NODES.numberNode(Double.longBitsToDouble(readBig(8)));
      case 'C' -> NODES.textNode(String.valueOf((char) (readBig(1) & 0xff)));
      case 'S', 'H' -> NODES.textNode(string());
      case '[' -> container(false, depth + 1);
      case '{' -> container(true, depth + 1);
      default ->
          throw new DamagedModelException(
              "unknown UBJSON marker 0x"
                  + Integer.toHexString(type & 0xff)
                  + " at byte "
                  + (pos - 1));
    };
  }

  private JsonNode container(boolean object, int depth) throws DamagedModelException {
    if (depth > MAX_DEPTH) {
      throw new DamagedModelException("UBJSON nested deeper than " + MAX_DEPTH);
    }
    ObjectNode obj = object ? NODES.objectNode() : null;
    ArrayNode arr = object ? null : NODES.arrayNode();
    byte elementType = 0;
    long count = -1;
    need(1);
    if (b[pos] == '$') {
      pos++;
      need(1);
      elementType = b[pos++];
      need(1);
      if (b[pos] != '#') {
        throw new DamagedModelException("UBJSON typed container without count at byte " + pos);
      }
    }
    need(1);
    if (b[pos] == '#') {
      pos++;
      count = length();
      // Every element takes at least one byte (a typed fixed-size one at least its size).
      int min = Math.max(1, fixedSize(elementType));
      if (count > (b.length - pos) / min) {
        throw new DamagedModelException("UBJSON container of " + count + " runs past the end");
      }
    }
    if (count >= 0) {
      for (long i = 0; i < count; i++) {
        String key = object ? string() : null;
        JsonNode v = value(elementType != 0 ? elementType : marker(), depth);
        add(obj, arr, key, v);
      }
      return object ? obj : arr;
    }
    while (true) {
      need(1);
      byte m = b[pos];
      if (m == (object ? '}' : ']')) {
        pos++;
        return object ? obj : arr;
      }
      if (m == 'N') {
        pos++;
        continue;
      }
      String key = object ? string() : null;
      add(obj, arr, key, value(marker(), depth));
    }
  }

  private static void add(ObjectNode obj, ArrayNode arr, String key, JsonNode v) {
    if (obj != null) {
      obj.set(key, v);
    } else {
      arr.add(v);
    }
  }

  private static int fixedSize(byte type) {
    return switch (type) {
      case 'i', 'U', 'C' -> 1;
      case 'I' -> 2;
      case 'l', 'd' -> 4;
      case 'L', 'D' -> 8;
      default -> 0;
    };
  }

  private String string() throws DamagedModelException {
    long n = length();
    need(n);
    String s = new String(b, pos, (int) n, StandardCharsets.UTF_8);
    pos += (int) n;
    return s;
  }

  /** A length or count: an integer value with its own marker, non-negative. */
  private long length() throws DamagedModelException {
    need(1);
    byte m = b[pos++];
    long n =
        switch (m) {
          case 'i' -> readBig(1);
          case 'U' -> readBig(1) & 0xff;
          case 'I' -> readBig(2);
          case 'l' -> readBig(4);
          case 'L' -> readBig(8);
          default ->
              throw new DamagedModelException(
                  "expected a UBJSON length at byte "
                      + (pos - 1)
                      + ", found 0x"
                      + Integer.toHexString(m & 0xff));
        };
    if (n < 0) {
      throw new DamagedModelException("negative UBJSON length at byte " + pos);
    }
    return n;
  }

  /** A big-endian signed integer of {@code size} bytes. */
  private long readBig(int size) throws DamagedModelException {
    need(size);
    long v = b[pos]; // sign-extended first byte
    for (int i = 1; i < size; i++) {
      v = (v << 8) | (b[pos + i] & 0xff);
    }
    pos += size;
    return v;
  }

  private void need(long n) throws DamagedModelException {
    if (n > b.length - pos) {
      throw new DamagedModelException(
          "UBJSON needs " + n + " more bytes at byte " + pos + " of " + b.length + ": truncated?");
    }
  }
}
