package dev.txguard.queue.internal;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * A session connection of the queue's own, outside txguard's pools and outside any unit, in
 * autocommit mode: for what must live as long as a session rather than a transaction (LISTEN, the
 * leader's lock, a running grouped attempt's group lock, cancelGroup's wait). Opened from {@code
 * controlConnection(url, ...)} when given (a pooler in transaction mode cannot keep session state),
 * else with {@code Database.openConnection()}. Its session has no idle, statement or lock timeout
 * (session_setup.sql), so no server timeout releases its locks; they are released by the owner, or
 * by the server when the session ends. Not thread-safe: one owner at a time.
 */
final class DedicatedConnection implements AutoCloseable {
  private final Connection conn;
  private final Sql sql;

  private DedicatedConnection(Connection conn, Sql sql) {
    this.conn = conn;
    this.sql = sql;
  }

  /** Opens and sets up a connection; the caller closes it. */
  static DedicatedConnection open(QueueConfig config, Sql sql) throws SQLException {
    Connection c = connect(config);
    try {
      DedicatedConnection d = new DedicatedConnection(c, sql);
      d.query(sql.sessionSetup);
      return d;
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  private static Connection connect(QueueConfig config) throws SQLException {
    if (config.url() != null) {
      return DriverManager.getConnection(config.url(), config.user(), config.password());
    }
    try {
      return config.db().openConnection();
    } catch (
        RuntimeException e) { // TxException, or IllegalStateException once the database is closed
      throw new SQLException(e.getMessage(), "08001", e);
    }
  }

  /** The JDBC connection, for what the statements here do not cover (LISTEN's notifications). */
  Connection jdbc() {
    return conn;
  }

  /**
   * Runs {@code statement} with {@code params}; the first column of its first row, if any, as text.
   */
  Optional<String> query(String statement, Object... params) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(statement)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      if (!ps.execute()) {
        return Optional.empty();
      }
      try (ResultSet rs = ps.getResultSet()) {
        return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
      }
    }
  }

  /** Like {@link #query}, for a statement returning one boolean. */
  boolean test(String statement, Object... params) throws SQLException {
    return query(statement, params).map(v -> v.equals("t") || v.equals("true")).orElse(false);
  }

  /** Ends the session abruptly (tests of a dying process): the server releases its locks. */
  void abort() {
    try {
      conn.abort(Runnable::run);
    } catch (SQLException e) {
      Events.LOG.debug("aborting a dedicated connection failed", e);
    }
  }

  /**
   * Restores the session's settings (the connection may belong to the application's pool), then
   * closes it.
   */
  @Override
  public void close() {
    try (Connection c = conn) {
      if (!c.isClosed()) {
        query(sql.sessionReset);
      }
    } catch (SQLException e) {
      Events.LOG.debug("closing a dedicated connection failed", e);
    }
  }
}
