package dev.txguard.test;

import dev.txguard.Tx;
import dev.txguard.TxListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * What units the code under test ran, attempt by attempt, and assertions over it. The {@link
 * TxguardExtension} clears it before every test; its {@link #listener()} must be registered on the
 * database (the extension does). Thread-safe.
 *
 * <pre>{@code
 * service.completeJob(7);
 * units.assertCommitted("complete-job").assertRetried("complete-job", 0)
 *      .assertNoUnitLongerThan(Duration.ofSeconds(5));
 * }</pre>
 */
public final class UnitLog {
  /** How an attempt ended. */
  public enum Outcome {
    /** Still running (or left open). */
    OPEN,
    /** Committed. */
    COMMITTED,
    /** Rolled back. */
    ROLLED_BACK
  }

  /**
   * One attempt of a unit.
   *
   * @param unit the unit's name
   * @param attempt 1-based; 2 and above are retries
   * @param outcome how it ended so far
   * @param duration how long it ran (so far, while open)
   * @param cause why it rolled back; null otherwise (and for an explicit rollback)
   * @param thread the thread that ran it
   * @param openedAt the stack that began it (txguard's and this library's frames left out)
   */
  public record Attempt(
      String unit,
      int attempt,
      Outcome outcome,
      Duration duration,
      Throwable cause,
      String thread,
      List<StackTraceElement> openedAt) {
    @Override
    public String toString() {
      return "unit '"
          + unit
          + "' attempt "
          + attempt
          + " "
          + outcome.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
          + " after "
          + duration.toMillis()
          + " ms"
          + (cause == null ? "" : " (" + cause + ")");
    }
  }

  private final List<Entry> entries = Collections.synchronizedList(new ArrayList<>());
  private final Map<Tx, Entry> open = new ConcurrentHashMap<>();
  private final Map<String, Integer> retries = new ConcurrentHashMap<>();
  private final TxListener listener = new Listener();

  /** A new, empty log; register {@link #listener()} on the database it should watch. */
  public UnitLog() {}

  /** {@return the listener that fills this log} */
  public TxListener listener() {
    return listener;
  }

  /** {@return every attempt recorded since the last {@link #clear()}, in begin order} */
  public List<Attempt> attempts() {
    synchronized (entries) {
      return entries.stream().map(Entry::snapshot).toList();
    }
  }

  /**
   * The attempts of units named {@code unit}, in begin order.
   *
   * @param unit the unit's name, as given by {@code TxOptions.name}
   * @return a snapshot; empty when no such unit ran
   */
  public List<Attempt> attempts(String unit) {
    return attempts().stream().filter(a -> a.unit().equals(unit)).toList();
  }

  /** {@return attempts still open: begun, neither committed nor rolled back} */
  public List<Attempt> open() {
    return attempts().stream().filter(a -> a.outcome() == Outcome.OPEN).toList();
  }

  /**
   * How many times units named {@code unit} were retried since the last {@link #clear()}.
   *
   * @param unit the unit's name, as given by {@code TxOptions.name}
   * @return 0 when it never was
   */
  public int retries(String unit) {
    return retries.getOrDefault(unit, 0);
  }

  /** Forgets everything recorded (open attempts stay tracked until they end). */
  public void clear() {
    synchronized (entries) {
      entries.removeIf(e -> e.outcome != Outcome.OPEN);
    }
    retries.clear();
  }

  /**
   * Asserts that a unit named {@code unit} ran and that every one that ran committed (its last
   * attempt committed).
   *
   * @param unit the unit's name, as given by {@code TxOptions.name}
   * @return this log, for chaining
   * @throws AssertionError listing the attempts that ran, otherwise
   */
  public UnitLog assertCommitted(String unit) {
    return assertFinal(unit, Outcome.COMMITTED);
  }

  /**
   * Asserts that a unit named {@code unit} ran and that every one that ran finally rolled back.
   *
   * @param unit the unit's name, as given by {@code TxOptions.name}
   * @return this log, for chaining
   * @throws AssertionError listing the attempts that ran, otherwise
   */
  public UnitLog assertRolledBack(String unit) {
    return assertFinal(unit, Outcome.ROLLED_BACK);
  }

  /**
   * Asserts that units named {@code unit} were retried exactly {@code times} times in all.
   *
   * @param unit the unit's name, as given by {@code TxOptions.name}
   * @param times the expected number of retries over all its runs
   * @return this log, for chaining
   * @throws AssertionError naming the actual count and the attempts, otherwise
   */
  public UnitLog assertRetried(String unit, int times) {
    int actual = retries(unit);
    if (actual != times) {
      throw new AssertionError(
          "expected unit '"
              + unit
              + "' to be retried "
              + times
              + " time(s), but it was retried "
              + actual
              + " time(s); attempts: "
              + describe(attempts(unit)));
    }
    return this;
  }

  /**
   * Asserts that no attempt of any unit ran (or has been open) longer than {@code bound}.
   *
   * @param bound the longest an attempt may have run, zero or more
   * @return this log, for chaining
   * @throws AssertionError naming the attempts that ran longer
   * @throws IllegalArgumentException if {@code bound} is null or negative
   */
  public UnitLog assertNoUnitLongerThan(Duration bound) {
    if (bound == null || bound.isNegative()) {
      throw new IllegalArgumentException("bound must be zero or positive, was " + bound);
    }
    List<Attempt> longer =
        attempts().stream().filter(a -> a.duration().compareTo(bound) > 0).toList();
    if (!longer.isEmpty()) {
      throw new AssertionError(
          "expected no unit to run longer than "
              + bound.toMillis()
              + " ms, but: "
              + describe(longer));
    }
    return this;
  }

  private UnitLog assertFinal(String unit, Outcome expected) {
    List<Attempt> ran = attempts(unit);
    if (ran.isEmpty()) {
      throw new AssertionError(
          "expected unit '"
              + unit
              + "' to be "
              + word(expected)
              + ", but no unit of that name"
              + " ran; units that ran: "
              + names());
    }
    List<Attempt> finals = new ArrayList<>();
    for (int i = 0; i < ran.size(); i++) {
      boolean last = i == ran.size() - 1 || ran.get(i + 1).attempt() == 1;
      if (last) {
        finals.add(ran.get(i));
      }
    }
    if (finals.stream().anyMatch(a -> a.outcome() != expected)) {
      throw new AssertionError(
          "expected every unit '" + unit + "' to be " + word(expected) + ", but: " + describe(ran));
    }
    return this;
  }

  private static String word(Outcome o) {
    return o == Outcome.COMMITTED ? "committed" : "rolled back";
  }

  private String names() {
    return attempts().stream()
        .map(Attempt::unit)
        .distinct()
        .collect(Collectors.joining(", ", "[", "]"));
  }

  private static String describe(List<Attempt> attempts) {
    return attempts.isEmpty()
        ? "none"
        : attempts.stream().map(Attempt::toString).collect(Collectors.joining("; "));
  }

  /** Mutable record of one attempt. */
  private static final class Entry {
    final String unit;
    final int attempt;
    final String thread;
    final List<StackTraceElement> openedAt;
    final long start = System.nanoTime();
    volatile Outcome outcome = Outcome.OPEN;
    volatile Duration duration;
    volatile Throwable cause;

    Entry(Tx tx) {
      this.unit = tx.name();
      this.attempt = tx.attempt();
      this.thread = Thread.currentThread().getName();
      this.openedAt = FaultInjector.callerStack();
    }

    Attempt snapshot() {
      Duration d = duration != null ? duration : Duration.ofNanos(System.nanoTime() - start);
      return new Attempt(unit, attempt, outcome, d, cause, thread, openedAt);
    }
  }

  private final class Listener implements TxListener {
    @Override
    public void onBegin(Tx tx) {
      Entry e = new Entry(tx);
      open.put(tx, e);
      entries.add(e);
    }

    @Override
    public void onCommit(Tx tx, Duration elapsed) {
      end(tx, Outcome.COMMITTED, null);
    }

    @Override
    public void onRollback(Tx tx, Throwable cause) {
      end(tx, Outcome.ROLLED_BACK, cause);
    }

    private void end(Tx tx, Outcome outcome, Throwable cause) {
      Entry e = open.remove(tx);
      if (e != null) {
        e.duration = Duration.ofNanos(System.nanoTime() - e.start);
        e.cause = cause;
        e.outcome = outcome;
      }
    }

    @Override
    public void onRetry(String name, int nextAttempt, Throwable cause, Duration delay) {
      retries.merge(name, 1, Integer::sum);
    }
  }
}
