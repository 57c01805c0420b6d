package dev.txguard.internal.dialect;

/**
 * What a piece of SQL text can do to a unit besides its data, and whether it only reads. Cached per
 * text by {@link SqlReader}, so a unit reads all three answers of a statement seen before from one
 * map lookup.
 *
 * @param control the transaction control it holds, as named in messages (e.g. {@code "COMMIT"},
 *     {@code "SET TRANSACTION"}), or null when none: refused inside a unit
 * @param session whether it may change the session beyond the transaction: the connection is reset
 *     before anyone else gets it
 * @param readsOnly whether every statement of the text only reads by its first keyword: {@code
 *     SELECT} without a word {@code INTO} in it ({@code SELECT ... INTO t} creates a table), {@code
 *     VALUES}, {@code TABLE} or {@code SHOW}, after blanks, comments and opening parentheses. False
 *     for anything else, including {@code WITH} (a data-modifying CTE), {@code EXPLAIN} ({@code
 *     ANALYZE} runs the statement), {@code CALL}, a text with no statement, and a text holding
 *     control. A guess on the safe side for one purpose: a unit whose statements all read does not
 *     ask for its transaction id before COMMIT, so a wrong "reads" (a {@code SELECT} of a function
 *     that writes) only leaves a lost COMMIT unresolved, never misreported
 */
public record SqlVerdict(String control, boolean session, boolean readsOnly) {
  /**
   * Shared verdicts without control, indexed by {@code (session ? 2 : 0) + (readsOnly ? 1 : 0)}.
   */
  private static final SqlVerdict[] WITHOUT_CONTROL = {
    new SqlVerdict(null, false, false),
    new SqlVerdict(null, false, true),
    new SqlVerdict(null, true, false),
    new SqlVerdict(null, true, true),
  };

  /**
   * The verdict with these answers; a shared instance when there is no control (a control never
   * reads only).
   */
  static SqlVerdict of(String control, boolean session, boolean readsOnly) {
    if (control != null) {
      return new SqlVerdict(control, session, false);
    }
    return WITHOUT_CONTROL[(session ? 2 : 0) + (readsOnly ? 1 : 0)];
  }

  /** Whether the text does nothing to the unit but its data. */
  public boolean clean() {
    return control == null && !session;
  }

  /**
   * This verdict and {@code other}'s together: the first control found, either's session change,
   * and reads only when both say so.
   */
  SqlVerdict and(SqlVerdict other) {
    return of(
        control != null ? control : other.control,
        session || other.session,
        readsOnly && other.readsOnly);
  }
}
