package dev.txguard.queue.internal;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The checks of the queue's public API on its arguments (names, the schema, text, durations), each
 * failing with an {@link IllegalArgumentException} that names the setting, the rule and the bad
 * value (bounded in length). Stateless.
 */
public final class Checks {
  /** The longest kind, queue, schedule, unique-key and group name. */
  public static final int MAX_NAME_LENGTH = 128;

  private static final Pattern QUEUE_NAME = Pattern.compile("[A-Za-z0-9_.:-]+");

  private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]*");

  /**
   * 63 bytes less the 5 of {@code _jobs} and {@code _done}, the notification channels' suffixes.
   */
  private static final int MAX_SCHEMA_LENGTH = 58;

  private Checks() {}

  /**
   * {@code name} if it is a usable queue, kind or schedule name; {@code field} names the setting.
   */
  public static String queueName(String field, String name) {
    if (name == null
        || name.isEmpty()
        || name.length() > MAX_NAME_LENGTH
        || !QUEUE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          field
              + " must be 1 to "
              + MAX_NAME_LENGTH
              + " characters of letters, digits, '_', '.', ':' or '-', was "
              + quote(name));
    }
    return name;
  }

  /**
   * {@code schema} if it can name the queue's schema: a lower-case SQL identifier (so it needs no
   * quoting), at most {@value #MAX_SCHEMA_LENGTH} characters, not starting with {@code pg_}, and
   * not a key word PostgreSQL reserves ({@code user}, {@code select}, ...; see {@link
   * ReservedWords}), which would need quoting too.
   */
  public static String schema(String schema) {
    if (schema == null || !SCHEMA.matcher(schema).matches()) {
      throw new IllegalArgumentException(
          "schema must be a lower-case SQL identifier matching "
              + SCHEMA
              + ", was "
              + quote(schema));
    }
    if (schema.length() > MAX_SCHEMA_LENGTH) {
      throw new IllegalArgumentException(
          "schema must be at most "
              + MAX_SCHEMA_LENGTH
              + " characters, so that the"
              + " queue's notification channels "
              + schema
              + "_jobs and "
              + schema
              + "_done fit PostgreSQL's"
              + " 63-byte identifiers; was "
              + schema.length()
              + " characters: "
              + quote(schema));
    }
    if (schema.startsWith("pg_")) {
      throw new IllegalArgumentException(
          "schema must not start with pg_, a prefix PostgreSQL reserves for system"
              + " schemas, was "
              + quote(schema));
    }
    if (ReservedWords.contains(schema)) {
      throw new IllegalArgumentException(
          "schema must not be a reserved key word of PostgreSQL, which cannot name a schema"
              + " without quotes; was "
              + quote(schema)
              + ": choose another name, e.g. "
              + quote(schema + "_queue"));
    }
    return schema;
  }

  /**
   * Rejects text holding U+0000, which PostgreSQL cannot store (it would fail deep inside a
   * statement and abort the caller's unit).
   */
  public static void noNul(String field, String value) {
    int at = value.indexOf('\0');
    if (at >= 0) {
      throw new IllegalArgumentException(
          field
              + " must not contain the character U+0000 (NUL), which PostgreSQL"
              + " cannot store in text; found at index "
              + at
              + " of "
              + quote(value.replace("\0", "\\0")));
    }
  }

  /**
   * Rejects text holding an unpaired UTF-16 surrogate, which is half of a character: the driver
   * sends it to PostgreSQL as {@code ?}, so the stored text differs from the given one (and two
   * distinct keys may become one).
   */
  public static void noLoneSurrogate(String field, String value) {
    int at = loneSurrogate(value);
    if (at >= 0) {
      throw new IllegalArgumentException(
          field
              + " must not contain "
              + LONE_SURROGATE
              + "; found "
              + codeUnit(value.charAt(at))
              + " at index "
              + at
              + " of "
              + quote(escapeSurrogates(value)));
    }
  }

  /**
   * What an unpaired surrogate is and why it cannot be stored; completes "must not contain" and "it
   * contains".
   */
  public static final String LONE_SURROGATE =
      "an unpaired UTF-16 surrogate (half of a character, as substring() leaves when it cuts"
          + " through an emoji), which PostgreSQL cannot store: the driver would send '?' in its"
          + " place";

  /** Text PostgreSQL can store as given: no U+0000 and no unpaired surrogate. */
  public static void storable(String field, String value) {
    noNul(field, value);
    noLoneSurrogate(field, value);
  }

  /** The index of the first unpaired surrogate of {@code s}, or -1 if it has none. */
  public static int loneSurrogate(CharSequence s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < n
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      }
    }
    return -1;
  }

  /** A UTF-16 code unit as {@code U+D800}. */
  public static String codeUnit(char c) {
    return String.format("U+%04X", (int) c);
  }

  /** {@code s} with each unpaired surrogate written as {@code \uD800}, for messages. */
  static String escapeSurrogates(String s) {
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      boolean paired =
          Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1));
      if (paired) {
        b.append(c).append(s.charAt(++i));
      } else if (Character.isSurrogate(c)) {
        b.append(String.format("\\u%04X", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** {@code value} if it is not blank and PostgreSQL can store it (see {@link #storable}). */
  public static String notBlank(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank, was " + quote(value));
    }
    storable(field, value);
    return value;
  }

  /** {@code value} if not null. */
  public static <T> T require(String field, T value) {
    if (value == null) {
      throw new IllegalArgumentException(field + " must not be null");
    }
    return value;
  }

  /** {@code value} if within {@code [min, max]}. */
  public static Duration between(String field, Duration value, Duration min, Duration max) {
    if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          field + " must be between " + min + " and " + max + ", was " + value);
    }
    return value;
  }

  /**
   * {@code value} if zero or positive; {@code what} names it ("timeout", "wait of
   * cancelGroup('g')").
   */
  public static Duration notNegative(String what, Duration value) {
    if (value == null || value.isNegative()) {
      throw new IllegalArgumentException(what + " must be zero or positive, was " + value);
    }
    return value;
  }

  /**
   * {@code value} if zero or positive and at most {@code Long.MAX_VALUE} milliseconds (an age the
   * queue's statements pass in milliseconds); {@code what} names it ("olderThan").
   */
  public static Duration age(String what, Duration value) {
    notNegative(what, value);
    if (value.compareTo(MAX_AGE) > 0) {
      throw new IllegalArgumentException(
          what
              + " must be at most "
              + MAX_AGE.toMillis()
              + " ms (about 292 million years), was "
              + value);
    }
    return value;
  }

  private static final Duration MAX_AGE = Duration.ofMillis(Long.MAX_VALUE);

  /** User text in a message: quoted, bounded in length; {@code null} for null. */
  public static String quote(String s) {
    return s == null ? "null" : '"' + Bounded.message(s) + '"';
  }
}
