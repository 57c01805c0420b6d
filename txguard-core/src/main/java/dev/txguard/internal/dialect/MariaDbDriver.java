package dev.txguard.internal.dialect;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * What the MariaDB dialect needs from MariaDB Connector/J beyond {@code java.sql}: public methods
 * of {@code org.mariadb.jdbc.Connection}, {@code cancelCurrentQuery()} (sends {@code KILL QUERY}
 * for the connection's thread on a new connection) and {@code reset()} ({@code
 * COM_RESET_CONNECTION}, which this driver sends only to MariaDB 10.3.13+ and only with {@code
 * useResetConnection=true}, both checked first through its {@code getContext()}; it drops user
 * variables, temporary tables, prepared statements and {@code GET_LOCK} locks and puts session
 * variables back to their global values, and the driver forgets its own cached state). The driver
 * is an optional dependency: when it is absent (MySQL Connector/J, say; {@code MariaDbDialect} then
 * never loads this class) or the connection does not unwrap to it, {@link #cancel} does nothing
 * (the server's own limits set by the unit's prelude end the statement) and {@link #reset} fails,
 * so the caller discards the connection instead. Thread-safe.
 */
final class MariaDbDriver {
  private MariaDbDriver() {}

  /** The driver's connection under {@code pooled}, or null. */
  private static org.mariadb.jdbc.Connection unwrap(Connection pooled) throws SQLException {
    if (!pooled.isWrapperFor(org.mariadb.jdbc.Connection.class)) {
      return null;
    }
    return pooled.unwrap(org.mariadb.jdbc.Connection.class);
  }

  /** Asks the server to cancel the statement running on {@code pooled}, if the driver can. */
  static void cancel(Connection pooled) throws SQLException {
    org.mariadb.jdbc.Connection driver = unwrap(pooled);
    if (driver != null) {
      driver.cancelCurrentQuery();
    }
  }

  /**
   * Resets the session with {@code COM_RESET_CONNECTION}.
   *
   * @throws SQLException when the driver cannot (not MariaDB Connector/J), or the reset failed
   */
  static void reset(Connection pooled) throws SQLException {
    org.mariadb.jdbc.Connection driver = unwrap(pooled);
    if (driver == null) {
      throw new SQLException(
          "the session cannot be reset without MariaDB Connector/J"
              + " (COM_RESET_CONNECTION through org.mariadb.jdbc.Connection.reset()); the connection is closed instead");
    }
    org.mariadb.jdbc.client.Context context = driver.getContext();
    org.mariadb.jdbc.client.ServerVersion version = context.getVersion();
    if (!context.getConf().useResetConnection()
        || !version.isMariaDBServer()
        || !version.versionGreaterOrEqual(10, 3, 13)) {
      throw new SQLException(
          "MariaDB Connector/J sends COM_RESET_CONNECTION only to MariaDB 10.3.13+ and with"
              + " useResetConnection=true (server "
              + version.getVersion()
              + ", useResetConnection "
              + context.getConf().useResetConnection()
              + "); the connection is closed instead of reset");
    }
    driver.reset();
  }
}
