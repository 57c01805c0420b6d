package dev.txguard.internal.dialect;

import dev.txguard.Isolation;
import java.util.Locale;

/**
 * A unit's time limits and characteristics on MariaDB and MySQL, which have no {@code SET LOCAL}:
 * the prelude saves the session's values in user variables ({@code @txguard_st},
 * {@code @txguard_lw}) and sets the unit's, the epilogue puts them back when the unit ends.
 * MariaDB's {@code max_statement_time} is in seconds and bounds every statement; MySQL's {@code
 * max_execution_time} is in ms and bounds read-only SELECTs only (MySQL Reference Manual, "Server
 * System Variables"); {@code innodb_lock_wait_timeout} takes whole seconds (rounded up, at least
 * 1). Stateless.
 */
final class MariaDbLimits {
  private MariaDbLimits() {}

  /**
   * Without a time limit: {@code SET TRANSACTION} (next transaction only) for non-default
   * characteristics, else nothing. With one: one SET that saves the session's limits in user
   * variables and sets the unit's, and the characteristics for the session (restored by {@link
   * #epilogue}).
   */
  static String prelude(boolean mysql, Isolation isolation, boolean readOnly, long timeoutMs) {
    boolean characteristics = isolation != Isolation.READ_COMMITTED || readOnly;
    if (timeoutMs <= 0) {
      return characteristics
          ? "SET TRANSACTION ISOLATION LEVEL "
              + isolation.sql()
              + (readOnly ? ", READ ONLY" : ", READ WRITE")
          : null;
    }
    StringBuilder set =
        new StringBuilder(256)
            .append("SET @txguard_st = @@session.")
            .append(statementLimit(mysql))
            .append(", @txguard_lw = @@session.innodb_lock_wait_timeout, SESSION ")
            .append(statementLimit(mysql))
            .append(" = ")
            .append(
                mysql
                    ? String.valueOf(timeoutMs)
                    : String.format(Locale.ROOT, "%.3f", timeoutMs / 1000.0))
            .append(", SESSION innodb_lock_wait_timeout = ")
            .append(Math.max(1, (timeoutMs + 999) / 1000));
    if (characteristics) {
      appendSessionCharacteristics(set, mysql, isolation, readOnly);
    }
    return set.toString();
  }

  /** Appends the assignments that give the session the unit's isolation and read-only setting. */
  private static void appendSessionCharacteristics(
      StringBuilder set, boolean mysql, Isolation isolation, boolean readOnly) {
    set.append(", SESSION ")
        .append(isolationVariable(mysql))
        .append(" = '")
        .append(isolation.sql().replace(' ', '-'))
        .append("', SESSION ")
        .append(readOnlyVariable(mysql))
        .append(" = ")
        .append(readOnly ? 1 : 0);
  }

  /**
   * Puts back the limits the prelude saved, and READ COMMITTED, READ WRITE when it changed them.
   * Without a time limit, non-default characteristics are put back too: {@code SET TRANSACTION}
   * sets the next transaction, and a unit that ran no statement began none (MariaDB Connector/J
   * sends COMMIT and ROLLBACK only inside a transaction), so its READ ONLY or isolation would
   * otherwise go to the next unit on the connection.
   */
  static String epilogue(boolean mysql, Isolation isolation, boolean readOnly, long timeoutMs) {
    if (timeoutMs <= 0) {
      return isolation != Isolation.READ_COMMITTED || readOnly
          ? "SET TRANSACTION ISOLATION LEVEL READ COMMITTED, READ WRITE"
          : null;
    }
    String restore =
        "SET SESSION "
            + statementLimit(mysql)
            + " = @txguard_st, SESSION innodb_lock_wait_timeout = @txguard_lw";
    boolean characteristics = isolation != Isolation.READ_COMMITTED || readOnly;
    return characteristics
        ? restore
            + ", SESSION "
            + isolationVariable(mysql)
            + " = 'READ-COMMITTED', SESSION "
            + readOnlyVariable(mysql)
            + " = 0"
        : restore;
  }

  private static String statementLimit(boolean mysql) {
    return mysql ? "max_execution_time" : "max_statement_time";
  }

  private static String isolationVariable(boolean mysql) {
    return mysql ? "transaction_isolation" : "tx_isolation";
  }

  private static String readOnlyVariable(boolean mysql) {
    return mysql ? "transaction_read_only" : "tx_read_only";
  }
}
