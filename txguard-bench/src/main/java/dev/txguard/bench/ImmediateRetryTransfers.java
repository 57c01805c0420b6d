package dev.txguard.bench;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The loop many teams write first: plain JDBC that runs the unit again at once after a
 * serialization failure. Isolation is set with SET TRANSACTION inside the transaction, exactly as
 * txguard does, so the retry policy is the only difference between the two.
 */
final class ImmediateRetryTransfers implements Transfers {
  private final HikariDataSource ds = BenchSetup.pool("immediate");

  @Override
  public boolean transfer(int from, int to, long amount, Runnable attempts) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      Connection c = ds.getConnection();
      try {
        attempts.run();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
          st.execute("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
        }
        if (balance(c, from) >= amount) {
          add(c, Math.min(from, to), from < to ? -amount : amount);
          add(c, Math.max(from, to), from < to ? amount : -amount);
        }
        c.commit();
        return true;
      } catch (SQLException e) {
        JdbcUnits.rollback(c, e);
        if (!"40001".equals(e.getSQLState())) {
          throw e;
        }
        if (attempt >= MAX_ATTEMPTS) {
          return false;
        }
      } finally {
        c.close();
      }
    }
  }

  private static long balance(Connection c, int id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(Schema.HOT_READ)) {
      ps.setInt(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void add(Connection c, int id, long delta) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(Schema.HOT_ADD)) {
      ps.setLong(1, delta);
      ps.setInt(2, id);
      ps.executeUpdate();
    }
  }

  @Override
  public void close() {
    ds.close();
  }
}
