package dev.txguard.internal;

import dev.txguard.internal.dialect.ConnectionLimit;
import dev.txguard.internal.dialect.Dialect;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Checks at {@code build()} that the server can hold every connection the pools may open: the
 * level-0 pool ({@code poolSize}), one pool of {@code levelPoolSize} per upper level ({@code
 * maxLevels - 1} of them) and the advisory-lock pool ({@code poolSize}).
 *
 * <p>What the server allows this user comes from the dialect ({@link Dialect#connectionLimit}:
 * PostgreSQL's {@code max_connections} less its reserved connections, MariaDB's {@code
 * max_connections} or {@code max_user_connections}). Pools larger than that can never be filled,
 * and would starve every other client of the server first: {@code build()} fails. Pools that fit
 * the server but not what other clients leave free now are only logged (WARN): those clients may go
 * away, and other processes of the same application are often counted there. Stateless.
 */
final class ServerCapacity {
  private ServerCapacity() {}

  /**
   * Throws when the pools may open more connections than the server allows this user.
   *
   * @param conn a connection of the level-0 pool, used for one query and rolled back
   * @param ownOpen how many connections the pools have open now (counted among those in use)
   * @throws IllegalStateException naming the numbers and what to change
   */
  static void check(
      Connection conn, Engine.Config config, int ownOpen, String where, Dialect dialect)
      throws SQLException {
    int upper = config.maxLevels() - 1;
    long requested = 2L * config.poolSize() + (long) config.levelPoolSize() * upper;
    String sum = sum(config, upper, requested);
    ConnectionLimit limits = limits(conn, ownOpen, dialect);
    if (requested > limits.allowed()) {
      throw new IllegalStateException(
          "the pools of this database may open "
              + sum
              + " connections, but "
              + where
              + " allows this role "
              + limits.describe()
              + " ("
              + limits.others()
              + " in use by other clients"
              + " now). Lower poolSize, levelPoolSize or maxLevels so that they add up to at most "
              + limits.allowed()
              + ", or raise max_connections on the server");
    }
    if (requested > limits.allowed() - limits.others()) {
      Engine.LOG.warn(
          "the pools of this database may open {} connections; {} allows {} and {} are in use by"
              + " other clients now, so the pools may not fill (each waits up to its connectionTimeout)",
          sum,
          where,
          limits.describe(),
          limits.others());
    }
  }

  /** How {@code requested} adds up, for messages. */
  private static String sum(Engine.Config config, int upper, long requested) {
    return "poolSize "
        + config.poolSize()
        + " + levelPoolSize "
        + config.levelPoolSize()
        + " x "
        + upper
        + " upper level"
        + (upper == 1 ? "" : "s")
        + " (maxLevels "
        + config.maxLevels()
        + ") + the advisory-lock pool "
        + config.poolSize()
        + " = "
        + requested;
  }

  private static ConnectionLimit limits(Connection conn, int ownOpen, Dialect dialect)
      throws SQLException {
    try {
      return dialect.connectionLimit(conn, ownOpen);
    } finally {
      conn.rollback();
    }
  }
}
