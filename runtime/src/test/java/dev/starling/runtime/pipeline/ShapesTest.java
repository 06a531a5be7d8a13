package dev.starling.runtime.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ShapesTest {
  private static final long MAX = Long.MAX_VALUE;
  private static final long TWO_60 = 1L << 60;
  private static final long TWO_62 = 1L << 62;

  /** shape, limit, expected count (-1: refused because it exceeds the limit or a long). */
  static Stream<Arguments> counts() {
    return Stream.of(
        Arguments.of(new long[] {}, MAX, 1L), // a scalar holds one element
        Arguments.of(new long[] {0}, MAX, 0L),
        Arguments.of(new long[] {7}, MAX, 7L),
        Arguments.of(new long[] {2, 3}, MAX, 6L),
        Arguments.of(new long[] {1, 1, 1, 1, 1, 1, 1, 1}, MAX, 1L),
        Arguments.of(new long[] {3, 3}, 9, 9L), // exactly at the limit
        Arguments.of(new long[] {3, 3}, 8, -1L), // one over the limit
        Arguments.of(new long[] {4}, 0, -1L),
        Arguments.of(new long[] {0}, 0, 0L),
        Arguments.of(new long[] {1024, 1024, 1024}, 1L << 30, 1L << 30),
        Arguments.of(new long[] {1024, 1024, 1024}, (1L << 30) - 1, -1L),
        // 16 * 2^60 = 2^64 does not fit a long: refused, not wrapped to 0
        Arguments.of(new long[] {16, TWO_60}, MAX, -1L),
        Arguments.of(new long[] {TWO_60, 16}, MAX, -1L),
        // 2^32 * 2^32 = 2^64 would wrap to 0 with plain multiplication
        Arguments.of(new long[] {1L << 32, 1L << 32}, MAX, -1L),
        // 2^31 * 2^31 = 2^62 fits a long but not the default element limit
        Arguments.of(new long[] {1L << 31, 1L << 31}, MAX, TWO_62),
        Arguments.of(new long[] {1L << 31, 1L << 31}, 4L * 1024 * 1024, -1L),
        Arguments.of(new long[] {MAX}, MAX, MAX),
        Arguments.of(new long[] {1, MAX}, MAX, MAX),
        Arguments.of(new long[] {2, MAX}, MAX, -1L),
        Arguments.of(new long[] {MAX, MAX, MAX}, MAX, -1L),
        // 3 * 3 * ... wraps a long after 40 factors; the limit stops it long before
        Arguments.of(new long[] {3, 3, 3, 3, 3, 3, 3, 3}, 6561, 6561L),
        // any zero dimension makes the tensor empty, even next to dimensions that overflow
        Arguments.of(new long[] {0, TWO_62}, MAX, 0L),
        Arguments.of(new long[] {TWO_62, 0}, MAX, 0L),
        Arguments.of(new long[] {16, TWO_60, 0}, 4, 0L),
        Arguments.of(new long[] {MAX, MAX, 0, MAX}, 1, 0L));
  }

  @ParameterizedTest(name = "{0} within {1} -> {2}")
  @MethodSource("counts")
  void elementCountIsTheProductOrRefusal(long[] shape, long limit, long expected) {
    assertThat(Shapes.elementCount(shape, limit)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} within {1} agrees with BigInteger")
  @MethodSource("counts")
  void elementCountAgreesWithExactArithmetic(long[] shape, long limit, long ignored) {
    BigInteger product = BigInteger.ONE;
    for (long d : shape) {
      product = product.multiply(BigInteger.valueOf(d));
    }
    long expected = product.compareTo(BigInteger.valueOf(limit)) > 0 ? -1 : product.longValue();
    assertThat(Shapes.elementCount(shape, limit)).isEqualTo(expected);
  }

  static Stream<Arguments> texts() {
    return Stream.of(
        Arguments.of(new long[] {}, "[]"),
        Arguments.of(new long[] {4}, "[4]"),
        Arguments.of(new long[] {16, TWO_60}, "[16,1152921504606846976]"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("texts")
  void toStringHasNoSpaces(long[] shape, String text) {
    assertThat(Shapes.toString(shape)).isEqualTo(text);
  }
}
