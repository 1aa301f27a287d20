package org.hpcs.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ExpiryParserTest {
  private static final Instant NOW = Instant.parse("2025-01-31T12:00:00Z");

  @ParameterizedTest
  @CsvSource({
    "30m, PT30M",
    "12h, PT12H",
    "7d, P7D",
    "2w, P14D",
    "90s, PT90S",
    "P1DT2H, P1DT2H",
    "PT45M, PT45M"
  })
  void parse_duration_addedToNow(String text, String iso) {
    assertThat(ExpiryParser.parse(text, NOW)).isEqualTo(NOW.plus(Duration.parse(iso)));
  }

  @Test
  void parse_durationWithFractionalNow_wholeSeconds() {
    Instant now = NOW.plusNanos(123_456_789);

    assertThat(ExpiryParser.parse("1h", now)).isEqualTo(NOW.plus(Duration.ofHours(1)));
  }

  @ParameterizedTest
  @CsvSource({
    "2025-02-01T00:00:00Z, 2025-02-01T00:00:00Z",
    "2025-02-01T01:00:00+01:00, 2025-02-01T00:00:00Z"
  })
  void parse_timeWithZone_exactInstant(String text, String expected) {
    assertThat(ExpiryParser.parse(text, NOW)).isEqualTo(Instant.parse(expected));
  }

  @ParameterizedTest
  @ValueSource(strings = {"tomorrow", "7", "2025-02-01", "2025-02-01T00:00:00", "0d", "-5m", ""})
  void parse_unsupportedForm_rejectedNamingValue(String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ExpiryParser.parse(text, NOW));

    assertThat(e.getMessage()).contains("'" + text + "'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"2025-01-31T12:00:00Z", "2024-12-31T00:00:00Z"})
  void parse_timeNotAfterNow_rejected(String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ExpiryParser.parse(text, NOW));

    assertThat(e.getMessage()).contains("is not in the future");
  }

  @ParameterizedTest
  @ValueSource(strings = {"P1000000000000D", "999999999d", "+10000-01-01T00:00:00Z"})
  void parse_beyondYear9999_rejectedNamingValue(String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ExpiryParser.parse(text, NOW));

    assertThat(e.getMessage()).contains("'" + text + "'");
    assertThat(e.getMessage()).contains("9999-12-31T23:59:59Z");
  }
}
