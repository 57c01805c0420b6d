package dev.txguard.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGConnection;

/**
 * Checks at {@code build()} that the server can hold every connection the pools may open: the
 * level-0 pool ({@code poolSize}), one pool of {@code levelPoolSize} per upper level ({@code
 * maxLevels - 1} of them) and the advisory-lock pool ({@code poolSize}).
 *
 * <p>A role may open at most {@code max_connections} minus {@code superuser_reserved_connections}
 * minus {@code reserved_connections} (PostgreSQL 16+) connections; a superuser all {@code
 * max_connections} (PostgreSQL docs, "Connections and Authentication"). Pools larger than that can
 * never be filled, and would starve every other client of the server first: {@code build()} fails.
 * Pools that fit the server but not what other clients leave free now are only logged (WARN): those
 * clients may go away, and other processes of the same application are often counted there. Skipped
 * for servers that are not PostgreSQL. Stateless.
 */
final class ServerCapacity {
  private static final String QUERY =
      "select current_setting('max_connections')::int,"
          + " current_setting('superuser_reserved_connections')::int,"
          + " coalesce(current_setting('reserved_connections', true), '0')::int,"
          + " current_setting('is_superuser') = 'on',"
          + " (select count(*) from pg_stat_activity where backend_type = 'client backend')";

  private ServerCapacity() {}

  /**
   * Throws when the pools may open more connections than the server allows this role.
   *
   * @param conn a connection of the level-0 pool, used for one query and rolled back
   * @param ownOpen how many connections the pools have open now (counted among those in use)
   * @throws IllegalStateException naming the numbers and what to change
   */
  static void check(Connection conn, Engine.Config config, int ownOpen, String where)
      throws SQLException {
    if (!conn.isWrapperFor(PGConnection.class)) { // PostgreSQL only: the settings below are its own
      return;
    }
    int upper = config.maxLevels() - 1;
    long requested = 2L * config.poolSize() + (long) config.levelPoolSize() * upper;
    String sum = sum(config, upper, requested);
    Limits limits = limits(conn, ownOpen);
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

  /** What the server allows this role, and how many connections other clients hold now. */
  private record Limits(int max, int superReserved, int reserved, boolean superuser, long others) {
    long allowed() {
      return superuser ? max : (long) max - superReserved - reserved;
    }

    String describe() {
      return superuser
          ? "max_connections " + max + " (a superuser may use them all)"
          : "max_connections "
              + max
              + " - superuser_reserved_connections "
              + superReserved
              + " - reserved_connections "
              + reserved
              + " = "
              + allowed();
    }
  }

  private static Limits limits(Connection conn, int ownOpen) throws SQLException {
    try (Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery(QUERY)) {
      rs.next();
      return new Limits(
          rs.getInt(1),
          rs.getInt(2),
          rs.getInt(3),
          rs.getBoolean(4),
          Math.max(0, rs.getLong(5) - ownOpen));
    } finally {
      conn.rollback();
    }
  }
}
