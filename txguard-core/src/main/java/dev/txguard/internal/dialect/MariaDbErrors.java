package dev.txguard.internal.dialect;

import java.sql.SQLException;

/**
 * What MariaDB's and MySQL's errors mean to a unit, by vendor error code (MariaDB documentation,
 * "MariaDB Error Codes"; MySQL Reference Manual, "Server Error Message Reference") and SQLSTATE:
 * retry, lost connection, cancelled statement, lock not available. Stateless.
 */
final class MariaDbErrors {
  private MariaDbErrors() {}

  /**
   * SQLSTATE 40001 (1213 ER_LOCK_DEADLOCK, and serialization failures), and 1020 ER_CHECKREAD
   * "Record has changed since last read" (SQLSTATE HY000): MariaDB's write conflict under
   * REPEATABLE READ or SERIALIZABLE with {@code innodb_snapshot_isolation} (default ON from 11.6),
   * which is a serialization failure by another name. 1205 (lock wait timeout) is not retryable:
   * the unit waited its lock-wait limit (the server's, or the unit's own time limit), and waiting
   * again would wait as long; see {@link #lockNotAvailable}.
   */
  static boolean retryable(SQLException e) {
    int code = e.getErrorCode();
    return "40001".equals(e.getSQLState()) || code == 1213 || code == 1020;
  }

  /**
   * Class 08 (the driver's own "connection closed" and communication errors), 1927
   * ER_CONNECTION_KILLED (MariaDB, SQLSTATE 70100), 1053 ER_SERVER_SHUTDOWN, 4031 (MySQL 8.0.24+:
   * disconnected for inactivity), 2006 and 2013 (client "server has gone away", "lost connection").
   */
  static boolean connectionLost(SQLException e) {
    String state = e.getSQLState();
    int code = e.getErrorCode();
    return (state != null && state.startsWith("08"))
        || code == 1927
        || code == 1053
        || code == 4031
        || code == 2006
        || code == 2013;
  }

  /**
   * 1969 ER_STATEMENT_TIMEOUT (MariaDB {@code max_statement_time}), 3024 ER_QUERY_TIMEOUT (MySQL
   * {@code max_execution_time}), 1317 ER_QUERY_INTERRUPTED (KILL QUERY, the driver's cancel), or a
   * lock wait that ran out.
   */
  static boolean cancelled(SQLException e) {
    int code = e.getErrorCode();
    return code == 1969 || code == 3024 || code == 1317 || lockNotAvailable(e);
  }

  /** 1205 ER_LOCK_WAIT_TIMEOUT (also MariaDB's NOWAIT), 3572 ER_LOCK_NOWAIT (MySQL NOWAIT). */
  static boolean lockNotAvailable(SQLException e) {
    int code = e.getErrorCode();
    return code == 1205 || code == 3572;
  }
}
