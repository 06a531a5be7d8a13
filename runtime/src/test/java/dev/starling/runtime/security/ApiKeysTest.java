package dev.starling.runtime.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApiKeysTest {
  private static final String FILE =
      """
      # production clients
      checkout : k-checkout-0123456789abcdef

      fraud-batch:k-batch-fedcba9876543210
      """;

  @Test
  void knownKeysGiveTheirIdAndNothingElseDoes() {
    ApiKeys keys = ApiKeys.parse(FILE);
    assertThat(keys.size()).isEqualTo(2);
    assertThat(keys.identify("k-checkout-0123456789abcdef")).isEqualTo("checkout");
    assertThat(keys.identify("k-batch-fedcba9876543210")).isEqualTo("fraud-batch");
    assertThat(keys.identify("k-checkout-0123456789abcdeF")).isNull();
    assertThat(keys.identify("k-checkout-0123456789abcde")).isNull();
    assertThat(keys.identify("checkout")).isNull();
    assertThat(keys.identify("")).isNull();
    assertThat(keys.identify(null)).isNull();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "no-colon-here|line 1: expected id:key",
        "a:short|line 1: the key of 'a' is shorter than 16",
        "bad id:k-0123456789abcdef|line 1: id must match",
        "a:k-0123456789abcdef\\na:k-0123456789abcdeg|line 2: id 'a' appears twice",
        "a:k-0123456789abcdef\\nb:k-0123456789abcdef|line 2: the key of 'b' is also another id's key",
      })
  void problemsNameTheLineAndNeverTheKey(String text, String message) {
    assertThatThrownBy(() -> ApiKeys.parse(text.replace("\\n", "\n")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message)
        .hasMessageNotContaining("0123456789abcdef");
  }

  @ParameterizedTest
  @CsvSource({"1, 1", "999999999, 1", "1000000000, 1", "1000000001, 2", "2500000000, 3"})
  void retryAfterRoundsUpToWholeSeconds(long nanos, long seconds) {
    assertThat(Rejections.retryAfterSeconds(nanos)).isEqualTo(seconds);
  }
}
