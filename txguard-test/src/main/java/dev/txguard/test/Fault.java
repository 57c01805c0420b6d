package dev.txguard.test;

import java.util.Locale;

/**
 * What a {@link FaultInjector} makes fail, and when: an immutable rule. Start from the failure
 * ({@link #serializationFailure()}, {@link #deadlock()}, {@link #connectionLoss()}), then say where
 * ({@link #atStatement(int)}, {@link #atCommit()} or {@link #randomly(double, long)}), and
 * optionally in which units ({@link #inUnit(String)}) and how many times ({@link #times(int)}).
 *
 * <pre>{@code
 * // the 2nd statement of the next "complete-job" unit fails with SQLSTATE 40001
 * Fault.serializationFailure().atStatement(2).inUnit("complete-job")
 * // every statement and COMMIT fails with probability 0.2, drawn from a seeded generator
 * Fault.deadlock().randomly(0.2, 42)
 * }</pre>
 *
 * <p>Statements are counted per attempt of a unit, from 1, in the order the unit runs them on its
 * connection (through {@code Tx}, {@code tx.connection()} or {@code db.dataSource()} inside the
 * unit); the statements txguard itself sends to set a unit up (isolation, time limits) are not
 * counted. Failures are real: a serialization failure or deadlock is raised by the server inside
 * the unit's transaction (so PostgreSQL aborts it, as it would), and a connection loss closes the
 * unit's physical connection. Where the failure comes from: SQLSTATE 40001 and 40P01 as in
 * PostgreSQL's "Serialization Failure Handling" (chapter 13.6), 08006 (connection failure).
 */
public final class Fault {
  /** Where a fault fires. */
  enum Where {
    STATEMENT,
    COMMIT,
    RANDOM
  }

  final String sqlState;
  final String description;
  final Where where;
  final int statement;
  final double probability;
  final long seed;
  final String unit;
  final int times;

  /** For the retry-safety check: only the {@code ordinal}-th unit begun in a run, attempt 1. */
  final int ordinal;

  private Fault(
      String sqlState,
      String description,
      Where where,
      int statement,
      double probability,
      long seed,
      String unit,
      int times,
      int ordinal) {
    this.sqlState = sqlState;
    this.description = description;
    this.where = where;
    this.statement = statement;
    this.probability = probability;
    this.seed = seed;
    this.unit = unit;
    this.times = times;
    this.ordinal = ordinal;
  }

  private static Fault of(String sqlState, String description) {
    return new Fault(sqlState, description, Where.COMMIT, 0, 0, 0, null, 1, 0);
  }

  /**
   * A serialization failure, SQLSTATE 40001: retryable. Fires at COMMIT until placed elsewhere.
   *
   * @return a new fault that fires once, at the first COMMIT of any unit
   */
  public static Fault serializationFailure() {
    return of("40001", "serialization failure");
  }

  /**
   * A deadlock, SQLSTATE 40P01: retryable. Fires at COMMIT until placed elsewhere.
   *
   * @return a new fault that fires once, at the first COMMIT of any unit
   */
  public static Fault deadlock() {
    return of("40P01", "deadlock");
  }

  /**
   * The loss of the unit's connection, SQLSTATE 08006: the physical connection is closed. Before
   * COMMIT txguard retries the unit. At COMMIT the connection is closed before the COMMIT is sent,
   * so the server rolls back: txguard resolves the lost COMMIT on a new connection, learns that it
   * did not commit and retries the unit (a unit with {@code TxOptions.resolveLostCommit(false)}
   * gets {@code CommitOutcomeUnknownException} instead). To lose a COMMIT's reply after the server
   * committed, put a {@link FaultProxy} between the driver and the server. Fires at COMMIT until
   * placed elsewhere.
   *
   * @return a new fault that fires once, at the first COMMIT of any unit
   */
  public static Fault connectionLoss() {
    return of("08006", "connection loss");
  }

  /**
   * Fires at the {@code n}-th statement of an attempt (from 1) instead of running it.
   *
   * @param n the statement's position in the attempt, from 1 (every statement the attempt sends on
   *     its connection counts, but txguard's prelude)
   * @return a copy with this setting; faults are immutable
   * @throws IllegalArgumentException if {@code n < 1}
   */
  public Fault atStatement(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("statement positions start at 1, was " + n);
    }
    return new Fault(sqlState, description, Where.STATEMENT, n, 0, 0, unit, times, ordinal);
  }

  /**
   * {@return a copy of this fault that fires at COMMIT instead of committing (the transaction is
   * rolled back)}
   */
  public Fault atCommit() {
    return new Fault(sqlState, description, Where.COMMIT, 0, 0, 0, unit, times, ordinal);
  }

  /**
   * Fires at every statement and COMMIT with {@code probability}, drawn from a generator seeded
   * with {@code seed} (the same seed and the same sequence of statements give the same failures).
   * Fires any number of times unless {@link #times(int)} bounds it.
   *
   * @param probability the chance per statement and COMMIT, above 0 and at most 1
   * @param seed the random generator's seed
   * @return a copy with this setting; faults are immutable
   * @throws IllegalArgumentException unless {@code 0 < probability <= 1}
   */
  public Fault randomly(double probability, long seed) {
    if (!(probability > 0 && probability <= 1)) {
      throw new IllegalArgumentException("probability must be in (0, 1], was " + probability);
    }
    return new Fault(
        sqlState,
        description,
        Where.RANDOM,
        0,
        probability,
        seed,
        unit,
        Integer.MAX_VALUE,
        ordinal);
  }

  /**
   * Fires only in units with this name ({@code TxOptions.name}); default: any unit.
   *
   * @param name the unit's name
   * @return a copy with this setting; faults are immutable
   * @throws IllegalArgumentException if {@code name} is null or blank
   */
  public Fault inUnit(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("unit name must not be blank, was " + name);
    }
    return new Fault(
        sqlState, description, where, statement, probability, seed, name, times, ordinal);
  }

  /**
   * Fires at most {@code n} times; default 1 for a placed fault, unbounded for a random one.
   *
   * @param n at least 1
   * @return a copy with this setting; faults are immutable
   * @throws IllegalArgumentException if {@code n < 1}
   */
  public Fault times(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("times must be at least 1, was " + n);
    }
    return new Fault(sqlState, description, where, statement, probability, seed, unit, n, ordinal);
  }

  /** Restricts the fault to the first attempt of the {@code n}-th unit begun (the check's runs). */
  Fault ordinal(int n) {
    return new Fault(sqlState, description, where, statement, probability, seed, unit, times, n);
  }

  /** {@return the SQLSTATE this fault raises} */
  public String sqlState() {
    return sqlState;
  }

  @Override
  public String toString() {
    String at =
        switch (where) {
          case STATEMENT -> "at statement " + statement;
          case COMMIT -> "at COMMIT";
          case RANDOM -> String.format(Locale.ROOT, "randomly (p=%s, seed %d)", probability, seed);
        };
    return description
        + " ("
        + sqlState
        + ") "
        + at
        + (unit == null ? "" : " in unit '" + unit + "'")
        + (times == Integer.MAX_VALUE ? "" : ", " + times + (times == 1 ? " time" : " times"));
  }
}
