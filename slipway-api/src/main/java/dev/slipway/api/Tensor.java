package dev.slipway.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * A named, typed, shaped block of data in row-major order.
 *
 * <p>The data is a flat Java array whose type follows the element type: {@code boolean[]} for BOOL;
 * {@code byte[]} for INT8 and UINT8; {@code short[]} for INT16 and UINT16; {@code int[]} for INT32
 * and UINT32; {@code long[]} for INT64 and UINT64 (unsigned values as their bit pattern); {@code
 * float[]} for FP32; {@code double[]} for FP64; {@code String[]} for BYTES.
 *
 * <p>For speed the array is not copied: whoever builds a tensor hands over its array and must not
 * change it afterwards. Instances are then safe to share between threads.
 */
public record Tensor(String name, DataType type, long[] shape, Object data) {

  public Tensor {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(data, "data");
    Class<?> expected = arrayClass(type);
    if (data.getClass() != expected) {
      throw new IllegalArgumentException(
          "tensor '" + name + "' of " + type + " needs " + expected.getSimpleName() + " data");
    }
    long n = elementCount(shape);
    int length = java.lang.reflect.Array.getLength(data);
    if (n != length) {
      throw new IllegalArgumentException(
          "tensor '"
              + name
              + "': shape "
              + Arrays.toString(shape)
              + " holds "
              + n
              + " elements but data has "
              + length);
    }
  }

  /** The Java array class that holds elements of the given type. */
  public static Class<?> arrayClass(DataType type) {
    return switch (type) {
      case BOOL -> boolean[].class;
      case INT8, UINT8 -> byte[].class;
      case INT16, UINT16 -> short[].class;
      case INT32, UINT32 -> int[].class;
      case INT64, UINT64 -> long[].class;
      case FP32 -> float[].class;
      case FP64 -> double[].class;
      case BYTES -> String[].class;
    };
  }

  /** The number of elements a shape holds; -1 if any dimension is negative (dynamic). */
  public static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        return -1;
      }
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  public long size() {
    return java.lang.reflect.Array.getLength(data);
  }

  /**
   * The element at a flat index: Boolean, Long (integers; BigInteger for UINT64 over
   * Long.MAX_VALUE), Float (FP32), Double (FP64) or String.
   */
  public Object get(int index) {
    return switch (type) {
      case BOOL -> ((boolean[]) data)[index];
      case INT8 -> (long) ((byte[]) data)[index];
      case UINT8 -> (long) Byte.toUnsignedInt(((byte[]) data)[index]);
      case INT16 -> (long) ((short[]) data)[index];
      case UINT16 -> (long) Short.toUnsignedInt(((short[]) data)[index]);
      case INT32 -> (long) ((int[]) data)[index];
      case UINT32 -> Integer.toUnsignedLong(((int[]) data)[index]);
      case INT64 -> ((long[]) data)[index];
      case UINT64 -> {
        long v = ((long[]) data)[index];
        yield v >= 0 ? (Object) v : new java.math.BigInteger(Long.toUnsignedString(v));
      }
      case FP32 -> ((float[]) data)[index];
      case FP64 -> ((double[]) data)[index];
      case BYTES -> ((String[]) data)[index];
    };
  }

  /** A tensor with the same data under another name. */
  public Tensor withName(String newName) {
    return new Tensor(newName, type, shape, data);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Tensor t)) {
      return false;
    }
    return name.equals(t.name)
        && type == t.type
        && Arrays.equals(shape, t.shape)
        && Objects.deepEquals(data, t.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, type, Arrays.hashCode(shape));
  }

  @Override
  public String toString() {
    return "Tensor[" + name + " " + type + " " + Arrays.toString(shape) + "]";
  }
}
