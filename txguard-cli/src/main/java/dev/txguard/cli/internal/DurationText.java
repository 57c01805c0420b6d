package dev.txguard.cli.internal;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as operators type and read them: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h},
 * {@code 7d}, combinations such as {@code 1h30m}, or ISO-8601 ({@code PT30S}).
 */
public final class DurationText {
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  private static final Pattern WHOLE = Pattern.compile("(\\d+(ms|s|m|h|d))+");

  private DurationText() {}

  /**
   * Reads {@code text}.
   *
   * @throws IllegalArgumentException saying what a duration looks like, if it is none
   */
  public static Duration parse(String text) {
    String t = text == null ? "" : text.trim();
    if (t.toUpperCase(java.util.Locale.ROOT).startsWith("P")) {
      try {
        Duration d = Duration.parse(t);
        if (d.isNegative()) {
          throw new IllegalArgumentException(
              "'" + text + "' is negative: a duration here is zero or more");
        }
        return bounded(text, d);
      } catch (DateTimeParseException e) {
        throw bad(text);
      }
    }
    if (!WHOLE.matcher(t).matches()) {
      throw bad(text);
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(t);
    try {
      while (m.find()) {
        long n = Long.parseLong(m.group(1));
        total =
            total.plus(
                switch (m.group(2)) {
                  case "ms" -> Duration.ofMillis(n);
                  case "s" -> Duration.ofSeconds(n);
                  case "m" -> Duration.ofMinutes(n);
                  case "h" -> Duration.ofHours(n);
                  default -> Duration.ofDays(n);
                });
      }
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is too long a duration");
    }
    return bounded(text, total);
  }

  /**
   * The longest duration any option takes: 100 years, beyond which PostgreSQL intervals and waits
   * overflow.
   */
  public static final Duration MAX = Duration.ofDays(36_500);

  private static Duration bounded(String text, Duration d) {
    if (d.compareTo(MAX) > 0) {
      throw new IllegalArgumentException(
          "'" + text + "' is too long a duration: at most 36500d (100 years)");
    }
    return d;
  }

  /** {@code d} as {@code 2d3h}, {@code 4m12s}, {@code 1.5s} or {@code 250ms}. */
  public static String format(Duration d) {
    if (d.compareTo(Duration.ofSeconds(1)) < 0) {
      return d.toMillis() + "ms";
    }
    long s = d.toSeconds();
    if (s < 60) {
      long tenths = d.toMillis() / 100 % 10;
      return s + (tenths == 0 ? "" : "." + tenths) + "s";
    }
    StringBuilder b = new StringBuilder();
    long days = s / 86_400;
    long hours = s / 3600 % 24;
    long minutes = s / 60 % 60;
    long seconds = s % 60;
    if (days > 0) {
      b.append(days).append('d');
    }
    if (hours > 0) {
      b.append(hours).append('h');
    }
    if (minutes > 0 && days == 0) {
      b.append(minutes).append('m');
    }
    if (seconds > 0 && days == 0 && hours == 0) {
      b.append(seconds).append('s');
    }
    return b.toString();
  }

  private static IllegalArgumentException bad(String text) {
    return new IllegalArgumentException(
        "'" + text + "' is not a duration: use e.g. 500ms, 30s, 5m, 2h, 7d, 1h30m" + " or PT30S");
  }
}
