package dev.txguard.internal.dialect;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * How many connections a server lets this session's user open, and how many other clients hold now:
 * what {@code build()} checks the pools against (see {@code ServerCapacity}). Immutable.
 *
 * @param allowed the most connections the user may open
 * @param others connections of other clients open now (the caller's own not counted)
 * @param describe how {@code allowed} follows from the server's settings, for messages
 */
public record ConnectionLimit(long allowed, long others, String describe) {

  /**
   * PostgreSQL: a role may open at most {@code max_connections} minus {@code
   * superuser_reserved_connections} minus {@code reserved_connections} (PostgreSQL 16+); a
   * superuser all {@code max_connections} (PostgreSQL docs, "Connections and Authentication").
   */
  static ConnectionLimit postgres(Connection conn, int ownOpen) throws SQLException {
    String query =
        "select current_setting('max_connections')::int,"
            + " current_setting('superuser_reserved_connections')::int,"
            + " coalesce(current_setting('reserved_connections', true), '0')::int,"
            + " current_setting('is_superuser') = 'on',"
            + " (select count(*) from pg_stat_activity where backend_type = 'client backend')";
    try (Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery(query)) {
      rs.next();
      int max = rs.getInt(1);
      int superReserved = rs.getInt(2);
      int reserved = rs.getInt(3);
      long others = Math.max(0, rs.getLong(5) - ownOpen);
      if (rs.getBoolean(4)) {
        return new ConnectionLimit(
            max, others, "max_connections " + max + " (a superuser may use them all)");
      }
      long allowed = (long) max - superReserved - reserved;
      return new ConnectionLimit(
          allowed,
          others,
          "max_connections "
              + max
              + " - superuser_reserved_connections "
              + superReserved
              + " - reserved_connections "
              + reserved
              + " = "
              + allowed);
    }
  }

  /**
   * MariaDB and MySQL: {@code max_connections}, or {@code max_user_connections} when it is set (not
   * 0) and lower (MariaDB docs, "Handling Too Many Connections"; the account's own
   * MAX_USER_CONNECTIONS is not read). The one extra connection the server keeps for an account
   * with CONNECTION ADMIN (SUPER) is not counted. Other clients are the sessions of {@code
   * information_schema.processlist} but the server's own threads; without the PROCESS privilege it
   * lists only the user's own sessions.
   */
  static ConnectionLimit mariaDb(Connection conn, int ownOpen) throws SQLException {
    String query =
        "select @@max_connections, @@max_user_connections,"
            + " (select count(*) from information_schema.processlist where command <> 'Daemon')";
    try (Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery(query)) {
      rs.next();
      long max = rs.getLong(1);
      long perUser = rs.getLong(2);
      long others = Math.max(0, rs.getLong(3) - ownOpen);
      if (perUser > 0 && perUser < max) {
        return new ConnectionLimit(
            perUser, others, "max_user_connections " + perUser + " (max_connections " + max + ")");
      }
      return new ConnectionLimit(max, others, "max_connections " + max);
    }
  }
}
