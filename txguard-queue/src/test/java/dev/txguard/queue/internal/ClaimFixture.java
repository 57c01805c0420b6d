package dev.txguard.queue.internal;

import dev.txguard.Database;
import dev.txguard.test.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;

/** What the ITs that run claim.sql by hand share: a one-connection database and the binding. */
final class ClaimFixture {
  private ClaimFixture() {}

  /** A database of one connection to {@code pg}, connecting within 10 s. */
  static Database db(TestDatabase pg) {
    return Database.builder()
        .url(pg.url())
        .user(pg.user())
        .password(pg.password())
        .connectionTimeout(Duration.ofSeconds(10))
        .poolSize(1)
        .build();
  }

  /**
   * Binds claim.sql's parameters as the fetcher does, for jobs of kind "work" at run level 0 with a
   * lease of 30 s.
   *
   * @param now the queue clock's time as text, or null for the database's now()
   * @param cursor (priority, run_at in microseconds, id); priority -1 for a claim from the head
   */
  static void bind(
      PreparedStatement ps, Connection c, String now, String queue, Object[] cursor, String owner)
      throws SQLException {
    ps.setObject(1, now, Types.VARCHAR);
    ps.setString(2, queue);
    ps.setInt(3, (Integer) cursor[0]);
    ps.setObject(4, ClaimCursor.runAt((Long) cursor[1]));
    ps.setLong(5, (Long) cursor[2]);
    ps.setArray(6, c.createArrayOf("text", new String[] {"work"}));
    ps.setInt(7, 0);
    ps.setString(8, owner);
    ps.setLong(9, 30_000);
  }

  /**
   * Turns JDBC {@code ?} placeholders into {@code $1, $2, ...}, for PREPARE (the statements used
   * have none in their comments).
   */
  static String numbered(String sql) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\?").matcher(sql);
    StringBuilder out = new StringBuilder();
    int n = 0;
    while (m.find()) {
      m.appendReplacement(out, "\\$" + ++n);
    }
    return m.appendTail(out).toString();
  }

  /**
   * The plan PostgreSQL chooses for {@code sql} run with {@code parameters} (SQL literals, comma
   * separated), prepared on {@code st}'s session and explained under {@code plan_cache_mode =
   * planMode} ({@code force_generic_plan}: the plan a prepared statement caches; {@code
   * force_custom_plan}: one made with the values), one line per plan line.
   */
  static String explainPrepared(Statement st, String sql, String parameters, String planMode)
      throws SQLException {
    st.execute("prepare s as " + numbered(sql));
    st.execute("set plan_cache_mode = " + planMode);
    StringBuilder plan = new StringBuilder();
    try (ResultSet rs = st.executeQuery("explain execute s(" + parameters + ")")) {
      while (rs.next()) {
        plan.append(rs.getString(1)).append('\n');
      }
    }
    st.execute("deallocate s");
    return plan.toString();
  }
}
