package dev.txguard.internal.dialect;

/**
 * What a piece of SQL text can do to a unit besides its data.
 *
 * @param control the transaction control it holds, as named in messages (e.g. {@code "COMMIT"},
 *     {@code "SET TRANSACTION"}), or null when none: refused inside a unit
 * @param session whether it may change the session beyond the transaction: the connection is reset
 *     before anyone else gets it
 */
public record SqlVerdict(String control, boolean session) {
  /** Neither control nor a session change. */
  public static final SqlVerdict CLEAN = new SqlVerdict(null, false);

  /** A session change only. */
  public static final SqlVerdict SESSION = new SqlVerdict(null, true);

  /** Whether the text does nothing to the unit but its data. */
  public boolean clean() {
    return control == null && !session;
  }

  /**
   * This verdict and {@code other}'s together: the first control found, and either's session
   * change.
   */
  SqlVerdict and(SqlVerdict other) {
    String c = control != null ? control : other.control;
    boolean s = session || other.session;
    return c == null ? (s ? SESSION : CLEAN) : new SqlVerdict(c, s);
  }
}
