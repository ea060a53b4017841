package dev.slipway.api.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.api.DataType;
import dev.slipway.api.Tensor;
import java.math.BigInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class TypedArraysProperties {
  @Provide
  Arbitrary<DataType> integralTypes() {
    return Arbitraries.of(DataType.values()).filter(DataType::isIntegral);
  }

  @Property(tries = 2000)
  void anIntegerIsStoredExactlyWhenInRangeAndRefusedOtherwise(
      @ForAll("integralTypes") DataType type, @ForAll long value) {
    Object array = TypedArrays.allocate(type, 1);
    String problem = TypedArrays.store(type, array, 0, value);
    BigInteger[] bounds = type.integralBounds();
    BigInteger v = BigInteger.valueOf(value);
    boolean fits = v.compareTo(bounds[0]) >= 0 && v.compareTo(bounds[1]) <= 0;
    assertThat(problem == null).isEqualTo(fits);
    if (fits) {
      assertThat(new Tensor("t", type, new long[] {1}, array).get(0)).isEqualTo(value);
    } else {
      assertThat(problem).contains(bounds[0].toString()).contains(bounds[1].toString());
    }
  }

  @Property
  void unsigned64BitValuesRoundTripAboveLongMax(@ForAll long bits) {
    BigInteger value = new BigInteger(Long.toUnsignedString(bits));
    long[] array = new long[1];
    assertThat(TypedArrays.store(DataType.UINT64, array, 0, value)).isNull();
    Object back = new Tensor("t", DataType.UINT64, new long[] {1}, array).get(0);
    assertThat(new BigInteger(back.toString())).isEqualTo(value);
  }

  @Property
  void fractionsAreNeverStoredAsIntegers(@ForAll("integralTypes") DataType type, @ForAll double d) {
    if (d == Math.rint(d)) {
      return;
    }
    assertThat(TypedArrays.store(type, TypedArrays.allocate(type, 1), 0, d)).isNotNull();
  }

  @Property
  void nonFiniteNumbersAreRefusedForFloatingTypes(
      @ForAll boolean fp32, @ForAll("nonFinite") double d) {
    DataType type = fp32 ? DataType.FP32 : DataType.FP64;
    assertThat(TypedArrays.store(type, TypedArrays.allocate(type, 1), 0, d)).contains("finite");
  }

  @Provide
  Arbitrary<Double> nonFinite() {
    return Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
  }
}
