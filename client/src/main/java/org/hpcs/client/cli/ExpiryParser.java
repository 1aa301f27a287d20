package org.hpcs.client.cli;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code --expires}: an ISO-8601 time with a zone ({@code 2025-02-01T00:00:00Z}), an
 * ISO-8601 duration ({@code P7D}, {@code PT12H}), or a number with a unit s, m, h, d or w. A
 * duration counts from the current second.
 */
final class ExpiryParser {
  private static final Pattern SHORT = Pattern.compile("([0-9]{1,9})([smhdw])");

  /** The latest expiry the server accepts, because it reads times with a four-digit year. */
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

  private ExpiryParser() {}

  /**
   * Returns the expiry time.
   *
   * @throws IllegalArgumentException naming the value and the accepted forms, also for a time that
   *     is not after {@code now}
   */
  static Instant parse(String text, Instant now) {
    String value = text.strip();
    Instant expiry = parseTime(value);
    if (expiry == null) {
      Duration duration = parseDuration(value);
      if (duration == null || duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException(
            "invalid --expires value '%s': use a time such as 2025-02-01T00:00:00Z or a duration such as 30m, 12h, 7d, 2w or P7DT12H"
                .formatted(text));
      }
      expiry = plus(now.truncatedTo(ChronoUnit.SECONDS), duration);
    }
    if (expiry == null || expiry.isAfter(LATEST)) {
      throw new IllegalArgumentException(
          "--expires '%s' is later than %s, the latest expiry the server accepts; give an earlier time or a shorter duration, or leave --expires out for a grant without expiry"
              .formatted(text, LATEST));
    }
    if (!expiry.isAfter(now)) {
      throw new IllegalArgumentException(
          "--expires %s is not in the future (now is %s)".formatted(expiry, TextTable.time(now)));
    }
    return expiry;
  }

  /** Returns {@code start + duration}, or null when the sum is beyond the range of Instant. */
  private static Instant plus(Instant start, Duration duration) {
    try {
      return start.plus(duration);
    } catch (DateTimeException | ArithmeticException e) {
      return null;
    }
  }

  private static Instant parseTime(String value) {
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static Duration parseDuration(String value) {
    Matcher matcher = SHORT.matcher(value.toLowerCase(Locale.ROOT));
    if (matcher.matches()) {
      long amount = Long.parseLong(matcher.group(1));
      return switch (matcher.group(2)) {
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        case "d" -> Duration.ofDays(amount);
        default -> Duration.ofDays(amount * 7);
      };
    }
    try {
      return Duration.parse(value);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
