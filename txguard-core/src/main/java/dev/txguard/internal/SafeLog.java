package dev.txguard.internal;

import java.util.Arrays;
import org.slf4j.Logger;

/**
 * Logging of a throwable that came from user code (a listener, a hook, a job handler), where the
 * logging itself must not throw: a backend prints the throwable by calling its {@code getMessage},
 * {@code toString}, {@code getCause} and {@code getStackTrace}, which user code may override to
 * throw, and an exception escaping the {@code catch} that reports the first one would change the
 * outcome the catch protects (a committed unit reported as failed, a job left running). SLF4J
 * already formats the {@code {}} arguments safely ({@code "[FAILED toString()]"}); this guards the
 * throwable. Thread-safe (no state).
 */
public final class SafeLog {
  private SafeLog() {}

  /**
   * Logs {@code format} with {@code args} at WARN and {@code failure} as its throwable. If that
   * throws, logs the format and the failure's class name instead; if that throws too, nothing.
   */
  public static void warn(Logger log, Throwable failure, String format, Object... args) {
    try {
      log.warn(format, withFailure(args, failure));
    } catch (Throwable printing) {
      fallback(log, false, failure, format, args, printing);
    }
  }

  /** As {@link #warn}, at ERROR. */
  public static void error(Logger log, Throwable failure, String format, Object... args) {
    try {
      log.error(format, withFailure(args, failure));
    } catch (Throwable printing) {
      fallback(log, true, failure, format, args, printing);
    }
  }

  /**
   * {@code failure}'s {@code toString()}, or, when that throws, its class name and what was thrown
   * reading it. Never throws.
   */
  public static String describe(Throwable failure) {
    try {
      return String.valueOf(failure);
    } catch (Throwable reading) {
      return unreadable(failure, reading);
    }
  }

  private static Object[] withFailure(Object[] args, Throwable failure) {
    Object[] all = Arrays.copyOf(args, args.length + 1);
    all[args.length] = failure;
    return all;
  }

  private static void fallback(
      Logger log,
      boolean error,
      Throwable failure,
      String format,
      Object[] args,
      Throwable printing) {
    try {
      // SLF4J formats the arguments safely; only the throwable is left out
      String text = format + " [" + unreadable(failure, printing) + "]";
      if (error) {
        log.error(text, args);
      } else {
        log.warn(text, args);
      }
    } catch (Throwable ignored) {
      // nothing is left to report with; the outcome the caller protects matters more
    }
  }

  private static String unreadable(Throwable failure, Throwable reading) {
    return (failure == null ? "null" : failure.getClass().getName())
        + " (it could not be printed: "
        + reading.getClass().getName()
        + " was thrown while reading it)";
  }
}
