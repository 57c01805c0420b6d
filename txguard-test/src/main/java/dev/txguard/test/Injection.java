package dev.txguard.test;

/**
 * One failure a {@link FaultInjector} made happen.
 *
 * @param unit the unit's name
 * @param attempt the attempt it hit (1-based)
 * @param position the statement position in that attempt (from 1), or 0 for COMMIT
 * @param sql the statement that was replaced by the failure, or {@code "COMMIT"}
 * @param sqlState the SQLSTATE raised
 */
public record Injection(String unit, int attempt, int position, String sql, String sqlState) {
  /** {@return whether it hit the COMMIT} */
  public boolean atCommit() {
    return position == 0;
  }

  /**
   * {@return the injection as text, e.g. {@code 40001 at statement 2 of unit 'pay' (attempt 1):
   * update account ...}}
   */
  @Override
  public String toString() {
    return sqlState
        + " at "
        + (atCommit() ? "COMMIT" : "statement " + position)
        + " of unit '"
        + unit
        + "' (attempt "
        + attempt
        + ")"
        + (atCommit() ? "" : ": " + Sql.abbreviate(sql));
  }
}
