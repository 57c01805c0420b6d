package dev.txguard;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a unit runs: isolation, read-only, deadline, retry policy and name. Immutable; every wither
 * returns a new instance and validates its argument at once.
 *
 * <pre>{@code
 * TxOptions transfer = TxOptions.defaults()
 *     .name("transfer")
 *     .isolation(Isolation.SERIALIZABLE)
 *     .timeout(Duration.ofSeconds(2))
 *     .maxAttempts(10);
 * }</pre>
 *
 * <p>Defaults: {@link Isolation#READ_COMMITTED}, read-write, no timeout, 5 attempts, backoff from 5
 * ms up to 1 s, name {@code "tx"}, lost COMMITs resolved.
 *
 * <h2>Retry schedule</h2>
 *
 * After failed attempt {@code n} (1-based) the runtime sleeps a random duration, uniformly drawn
 * from {@code [0, min(max, initial * 2^(n-1))]} ("full jitter"), then runs the whole callback
 * again. No retry starts when the sleep would end past the unit's deadline.
 */
// Longer than txguard's ~300-line rule on purpose: eight public withers, each with its javadoc
// (default, range, what it throws) and each a full constructor call of the eight options, which the
// formatter spells out one argument a line (about 80 lines). There is no logic beyond argument
// checks, and the withers are the public API: they cannot move to another type.
public final class TxOptions {
  private static final TxOptions DEFAULTS =
      new TxOptions(
          Isolation.READ_COMMITTED,
          false,
          null,
          5,
          Duration.ofMillis(5),
          Duration.ofSeconds(1),
          "tx",
          true);

  private final Isolation isolation;
  private final boolean readOnly;
  private final Duration timeout;
  private final int maxAttempts;
  private final Duration backoffInitial;
  private final Duration backoffMax;
  private final String name;
  private final boolean resolveLostCommit;

  private TxOptions(
      Isolation isolation,
      boolean readOnly,
      Duration timeout,
      int maxAttempts,
      Duration backoffInitial,
      Duration backoffMax,
      String name,
      boolean resolveLostCommit) {
    this.isolation = isolation;
    this.readOnly = readOnly;
    this.timeout = timeout;
    this.maxAttempts = maxAttempts;
    this.backoffInitial = backoffInitial;
    this.backoffMax = backoffMax;
    this.name = name;
    this.resolveLostCommit = resolveLostCommit;
  }

  /** {@return the default options (see the class description)} */
  public static TxOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Sets the isolation level.
   *
   * @param isolation the level; default {@link Isolation#READ_COMMITTED}
   * @return a copy with this setting; this instance is unchanged
   * @throws IllegalArgumentException if {@code isolation} is null
   */
  public TxOptions isolation(Isolation isolation) {
    if (isolation == null) {
      throw new IllegalArgumentException("isolation must not be null");
    }
    return new TxOptions(
        isolation,
        readOnly,
        timeout,
        maxAttempts,
        backoffInitial,
        backoffMax,
        name,
        resolveLostCommit);
  }

  /**
   * Makes the unit read-only: writes fail with SQLSTATE 25006. On PostgreSQL a unit whose only
   * non-default option this is opens its transaction with {@code BEGIN READ ONLY} through pgjdbc's
   * {@code setReadOnly} (no extra round trip; pgjdbc's default {@code readOnlyMode=transaction} is
   * needed: with {@code readOnlyMode=ignore} in the URL the server is not told); with other options
   * it is part of the {@code SET TRANSACTION} prelude. On MariaDB and MySQL see MARIADB.md. A lost
   * {@code COMMIT} of a read-only unit needs no answer ({@link #resolveLostCommit(boolean)}).
   *
   * @param readOnly default {@code false}
   * @return a copy with this setting; this instance is unchanged
   */
  public TxOptions readOnly(boolean readOnly) {
    return new TxOptions(
        isolation,
        readOnly,
        timeout,
        maxAttempts,
        backoffInitial,
        backoffMax,
        name,
        resolveLostCommit);
  }

  /**
   * Bounds the whole unit, all attempts and backoff sleeps included. Statements get {@code
   * statement_timeout} and {@code lock_timeout} from the time left; at the deadline the running
   * statement is cancelled, the connection discarded, and the caller gets {@link
   * TxTimeoutException}. A {@code COMMIT} already sent is not interrupted: its outcome is the
   * server's, so a commit that outlasts the deadline still completes (or, if the connection breaks,
   * is resolved on a new connection, see {@link #resolveLostCommit(boolean)}, and ends in {@link
   * CommitOutcomeUnknownException} when the server cannot be asked by the deadline); bound network
   * stalls with the driver's {@code socketTimeout}.
   *
   * @param timeout positive, at most about 24.8 days ({@code Integer.MAX_VALUE} ms); default none
   * @return a copy with this setting; this instance is unchanged
   * @throws IllegalArgumentException if {@code timeout} is null, zero, negative or longer
   */
  public TxOptions timeout(Duration timeout) {
    if (timeout == null || timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    requireAtMostMaxMillis("timeout", timeout);
    return new TxOptions(
        isolation,
        readOnly,
        timeout,
        maxAttempts,
        backoffInitial,
        backoffMax,
        name,
        resolveLostCommit);
  }

  /**
   * The longest duration txguard takes for a limit: {@code Integer.MAX_VALUE} ms (about 24.8 days),
   * the most PostgreSQL's {@code statement_timeout} and {@code lock_timeout} hold.
   */
  static final Duration MAX_DURATION = Duration.ofMillis(Integer.MAX_VALUE);

  /**
   * Refuses a duration longer than {@link #MAX_DURATION}, which the runtime could not hold (it
   * would overflow later, far from the setter, and lose the error it was waiting on).
   */
  static void requireAtMostMaxMillis(String what, Duration d) {
    if (d.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException(
          what
              + " must be at most "
              + Integer.MAX_VALUE
              + " ms (about 24.8 days, the longest statement or lock timeout txguard sets on the"
              + " server), was "
              + d);
    }
  }

  /**
   * Caps how many times the callback runs. Only retryable errors cause another attempt.
   *
   * @param maxAttempts at least 1 (1 means no retry); default 5
   * @return a copy with this setting; this instance is unchanged
   * @throws IllegalArgumentException if {@code maxAttempts < 1}
   */
  public TxOptions maxAttempts(int maxAttempts) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
    }
    return new TxOptions(
        isolation,
        readOnly,
        timeout,
        maxAttempts,
        backoffInitial,
        backoffMax,
        name,
        resolveLostCommit);
  }

  /**
   * Sets the exponential backoff between attempts (see the class description).
   *
   * @param initial the cap of the first sleep, zero or positive; default 5 ms
   * @param max the cap of every sleep, at least {@code initial} and at most about 24.8 days;
   *     default 1 s
   * @return a copy with this setting; this instance is unchanged
   * @throws IllegalArgumentException if either is null or negative, {@code max < initial}, or
   *     {@code max} is longer than {@code Integer.MAX_VALUE} ms
   */
  public TxOptions backoff(Duration initial, Duration max) {
    if (initial == null || initial.isNegative()) {
      throw new IllegalArgumentException(
          "backoff initial must be zero or positive, was " + initial);
    }
    if (max == null || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "backoff max must be at least initial (" + initial + "), was " + max);
    }
    requireAtMostMaxMillis("backoff max", max);
    return new TxOptions(
        isolation, readOnly, timeout, maxAttempts, initial, max, name, resolveLostCommit);
  }

  /**
   * Names the unit in logs, listener events, leak reports and error messages.
   *
   * @param name non-blank; default {@code "tx"}
   * @return a copy with this setting; this instance is unchanged
   * @throws IllegalArgumentException if {@code name} is null or blank
   */
  public TxOptions name(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(
          "name must not be blank, was " + (name == null ? null : '"' + name + '"'));
    }
    return new TxOptions(
        isolation,
        readOnly,
        timeout,
        maxAttempts,
        backoffInitial,
        backoffMax,
        name,
        resolveLostCommit);
  }

  /**
   * Whether a {@code COMMIT} whose connection is lost is resolved: the unit asks for its
   * transaction id before {@code COMMIT} ({@code pg_current_xact_id_if_assigned()}, one round trip,
   * paid only by read-write units that ran a statement that is not a read by its text: anything but
   * {@code SELECT} without {@code INTO}, {@code VALUES}, {@code TABLE}, {@code SHOW}; a unit of
   * such reads only is told {@link CommitOutcomeUnknownException} on a lost {@code COMMIT}, since a
   * {@code SELECT} may call a function that writes), so that after a lost {@code COMMIT} txguard
   * can ask {@code pg_xact_status} on a new connection and return normally (committed) or fail as
   * before {@code COMMIT} (not committed, retried when retryable) instead of throwing {@link
   * CommitOutcomeUnknownException}. Read-only units never pay it and need no answer: mark units
   * that only read {@link #readOnly(boolean) read-only}. Turn it off only for a hot unit whose
   * callers can afford to check the database themselves after an unknown outcome. Needs PostgreSQL
   * 10+ (13+ for the {@code pg_xact_status} names); older servers keep the old behaviour.
   *
   * @param resolve default {@code true}; {@code false} gives {@link CommitOutcomeUnknownException}
   *     at once on a lost {@code COMMIT}, as txguard did before this option
   * @return a copy with this setting; this instance is unchanged
   */
  public TxOptions resolveLostCommit(boolean resolve) {
    return new TxOptions(
        isolation, readOnly, timeout, maxAttempts, backoffInitial, backoffMax, name, resolve);
  }

  /** {@return the isolation level} */
  public Isolation isolation() {
    return isolation;
  }

  /** {@return whether the unit is read-only} */
  public boolean readOnly() {
    return readOnly;
  }

  /** {@return the unit's timeout, if any} */
  public Optional<Duration> timeout() {
    return Optional.ofNullable(timeout);
  }

  /** {@return the most attempts the callback gets} */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** {@return the cap of the first backoff sleep} */
  public Duration backoffInitial() {
    return backoffInitial;
  }

  /** {@return the cap of every backoff sleep} */
  public Duration backoffMax() {
    return backoffMax;
  }

  /** {@return the unit's name} */
  public String name() {
    return name;
  }

  /**
   * {@return whether a lost {@code COMMIT} is resolved (see {@link #resolveLostCommit(boolean)})}
   */
  public boolean resolveLostCommit() {
    return resolveLostCommit;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TxOptions other
        && isolation == other.isolation
        && readOnly == other.readOnly
        && Objects.equals(timeout, other.timeout)
        && maxAttempts == other.maxAttempts
        && backoffInitial.equals(other.backoffInitial)
        && backoffMax.equals(other.backoffMax)
        && name.equals(other.name)
        && resolveLostCommit == other.resolveLostCommit;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        isolation,
        readOnly,
        timeout,
        maxAttempts,
        backoffInitial,
        backoffMax,
        name,
        resolveLostCommit);
  }

  @Override
  public String toString() {
    return "TxOptions[name="
        + name
        + ", isolation="
        + isolation
        + ", readOnly="
        + readOnly
        + ", timeout="
        + timeout
        + ", maxAttempts="
        + maxAttempts
        + ", backoff="
        + backoffInitial
        + ".."
        + backoffMax
        + ", resolveLostCommit="
        + resolveLostCommit
        + "]";
  }
}
