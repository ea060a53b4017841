package dev.slipway.api.codec;

import dev.slipway.api.DataType;
import dev.slipway.api.Tensor;
import java.math.BigInteger;

/**
 * Allocates the flat arrays of {@link Tensor} and stores Java values into them with lossless casts
 * only. Stateless.
 */
public final class TypedArrays {
  private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

  private TypedArrays() {}

  /** A new array for {@code n} elements of the given type. */
  public static Object allocate(DataType type, int n) {
    return switch (type) {
      case BOOL -> new boolean[n];
      case INT8, UINT8 -> new byte[n];
      case INT16, UINT16 -> new short[n];
      case INT32, UINT32 -> new int[n];
      case INT64, UINT64 -> new long[n];
      case FP32 -> new float[n];
      case FP64 -> new double[n];
      case BYTES -> new String[n];
    };
  }

  /**
   * Stores {@code value} at {@code index}.
   *
   * @return {@code null} on success, otherwise a description of what was expected (the caller adds
   *     the field name and value to make the error message)
   */
  public static String store(DataType type, Object array, int index, Object value) {
    if (value == null) {
      return "a " + describe(type) + ", not null";
    }
    switch (type) {
      case BOOL -> {
        if (value instanceof Boolean b) {
          ((boolean[]) array)[index] = b;
          return null;
        }
        return "true or false";
      }
      case BYTES -> {
        if (value instanceof String s) {
          ((String[]) array)[index] = s;
          return null;
        }
        return "a string";
      }
      case FP32, FP64 -> {
        double d;
        if (value instanceof Double v) {
          d = v;
        } else if (value instanceof Long l) {
          d = l;
          if ((long) d != l) {
            return "a " + describe(type) + " (integer " + l + " cannot be represented exactly)";
          }
        } else if (value instanceof Number n) {
          d = n.doubleValue();
        } else {
          return "a number";
        }
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          return "a finite number";
        }
        if (type == DataType.FP32) {
          float f = (float) d;
          if (Float.isInfinite(f)) {
            return "a number within FP32 range (±3.4e38)";
          }
          ((float[]) array)[index] = f;
        } else {
          ((double[]) array)[index] = d;
        }
        return null;
      }
      default -> {
        if (value instanceof Long l) {
          return storeLong(type, array, index, l);
        }
        BigInteger v = integral(value);
        if (v == null) {
          return "an integer (" + describe(type) + ")";
        }
        BigInteger[] bounds = type.integralBounds();
        if (v.compareTo(bounds[0]) < 0 || v.compareTo(bounds[1]) > 0) {
          return "an integer in [" + bounds[0] + ", " + bounds[1] + "] (" + type + ")";
        }
        long bits = v.signum() < 0 && type.isUnsigned() ? v.add(TWO_64).longValue() : v.longValue();
        switch (type) {
          case INT8, UINT8 -> ((byte[]) array)[index] = (byte) bits;
          case INT16, UINT16 -> ((short[]) array)[index] = (short) bits;
          case INT32, UINT32 -> ((int[]) array)[index] = (int) bits;
          default -> ((long[]) array)[index] = bits;
        }
        return null;
      }
    }
  }

  /** The common case, a JSON integer that fits a long: range checks without BigInteger. */
  private static String storeLong(DataType type, Object array, int index, long l) {
    long min;
    long max;
    switch (type) {
      case INT8 -> {
        min = Byte.MIN_VALUE;
        max = Byte.MAX_VALUE;
      }
      case UINT8 -> {
        min = 0;
        max = 0xFF;
      }
      case INT16 -> {
        min = Short.MIN_VALUE;
        max = Short.MAX_VALUE;
      }
      case UINT16 -> {
        min = 0;
        max = 0xFFFF;
      }
      case INT32 -> {
        min = Integer.MIN_VALUE;
        max = Integer.MAX_VALUE;
      }
      case UINT32 -> {
        min = 0;
        max = 0xFFFF_FFFFL;
      }
      case UINT64 -> {
        min = 0;
        max = Long.MAX_VALUE;
      }
      default -> {
        min = Long.MIN_VALUE;
        max = Long.MAX_VALUE;
      }
    }
    if (l < min || l > max) {
      BigInteger[] bounds = type.integralBounds();
      return "an integer in [" + bounds[0] + ", " + bounds[1] + "] (" + type + ")";
    }
    switch (type) {
      case INT8, UINT8 -> ((byte[]) array)[index] = (byte) l;
      case INT16, UINT16 -> ((short[]) array)[index] = (short) l;
      case INT32, UINT32 -> ((int[]) array)[index] = (int) l;
      default -> ((long[]) array)[index] = l;
    }
    return null;
  }

  private static BigInteger integral(Object value) {
    if (value instanceof Long l) {
      return BigInteger.valueOf(l);
    }
    if (value instanceof BigInteger b) {
      return b;
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return BigInteger.valueOf(((Number) value).longValue());
    }
    if (value instanceof Float f) {
      value = f.doubleValue();
    }
    if (value instanceof Double d && !d.isNaN() && !d.isInfinite() && d == Math.rint(d)) {
      // 3.0 is a lossless integer; 3.5 is not.
      return new java.math.BigDecimal(d).toBigIntegerExact();
    }
    return null;
  }

  /** How a type is named to a person: "FP32 number", "string", ... */
  public static String describe(DataType type) {
    return switch (type) {
      case BOOL -> "boolean";
      case BYTES -> "string";
      case FP32, FP64 -> type + " number";
      default -> type + " integer";
    };
  }
}
