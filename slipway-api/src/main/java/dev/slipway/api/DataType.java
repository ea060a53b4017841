package dev.slipway.api;

import java.util.Locale;
import java.util.Optional;

/**
 * Element types of tensors and fields, named as in the KServe Open Inference Protocol v2.
 *
 * <p>Unsigned types are carried in the signed Java type of the same width (their bit pattern);
 * {@link Tensor} documents the array type of each.
 */
public enum DataType {
  BOOL(1, false, false),
  UINT8(1, true, true),
  UINT16(2, true, true),
  UINT32(4, true, true),
  UINT64(8, true, true),
  INT8(1, true, false),
  INT16(2, true, false),
  INT32(4, true, false),
  INT64(8, true, false),
  FP32(4, false, false),
  FP64(8, false, false),
  BYTES(-1, false, false);

  private final int bytes;
  private final boolean integral;
  private final boolean unsigned;

  DataType(int bytes, boolean integral, boolean unsigned) {
    this.bytes = bytes;
    this.integral = integral;
    this.unsigned = unsigned;
  }

  /** Size of one element in bytes, or -1 for {@link #BYTES}. */
  public int byteSize() {
    return bytes;
  }

  public boolean isIntegral() {
    return integral;
  }

  public boolean isUnsigned() {
    return unsigned;
  }

  public boolean isFloatingPoint() {
    return this == FP32 || this == FP64;
  }

  public boolean isNumeric() {
    return integral || isFloatingPoint();
  }

  /** Parses an OIP datatype name such as {@code "FP32"}, case-insensitively. */
  public static Optional<DataType> parse(String name) {
    if (name == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(valueOf(name.trim().toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The smallest and largest integral value of this type, as {@code [min, max]}. */
  public java.math.BigInteger[] integralBounds() {
    if (!integral) {
      throw new IllegalStateException(this + " is not integral");
    }
    int bits = bytes * 8;
    if (unsigned) {
      return new java.math.BigInteger[] {
        java.math.BigInteger.ZERO,
        java.math.BigInteger.ONE.shiftLeft(bits).subtract(java.math.BigInteger.ONE)
      };
    }
    java.math.BigInteger half = java.math.BigInteger.ONE.shiftLeft(bits - 1);
    return new java.math.BigInteger[] {half.negate(), half.subtract(java.math.BigInteger.ONE)};
  }
}
