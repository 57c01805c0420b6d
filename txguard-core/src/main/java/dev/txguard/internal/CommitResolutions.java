package dev.txguard.internal;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts, for this JVM, how lost COMMITs were decided by {@link CommitResolver}: a diagnostic for
 * txguard's own fault tests and chaos suite, which print these figures. Thread-safe.
 */
public final class CommitResolutions {
  /** How a COMMIT whose connection was lost ended for its caller. */
  public enum Outcome {
    /** The server said the transaction committed: the unit returned normally. */
    COMMITTED,
    /** The server said it did not: the unit failed as before COMMIT (and may have been retried). */
    NOT_COMMITTED,
    /** No answer could be had: {@code CommitOutcomeUnknownException}. */
    UNKNOWN,
    /** The unit wrote nothing (no transaction id), so its outcome did not matter. */
    NOT_NEEDED
  }

  private static final Map<Outcome, LongAdder> COUNTS = new EnumMap<>(Outcome.class);

  static {
    for (Outcome o : Outcome.values()) {
      COUNTS.put(o, new LongAdder());
    }
  }

  private CommitResolutions() {}

  static void record(Outcome outcome) {
    COUNTS.get(outcome).increment();
  }

  /** How many lost COMMITs ended with {@code outcome} in this JVM so far. */
  public static long count(Outcome outcome) {
    return COUNTS.get(outcome).sum();
  }
}
