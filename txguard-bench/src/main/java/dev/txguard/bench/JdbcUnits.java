package dev.txguard.bench;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The baseline: what a careful developer writes by hand. setAutoCommit(false) is kept although the
 * pool already hands out connections with auto-commit off, because hand-written code cannot assume
 * the pool's settings (and the driver makes the call free when nothing changes).
 */
final class JdbcUnits implements Units {
  private final HikariDataSource ds = BenchSetup.pool("jdbc");

  @Override
  public long read(int id) throws SQLException {
    Connection c = ds.getConnection();
    try {
      c.setAutoCommit(false);
      long balance;
      try (PreparedStatement ps = c.prepareStatement(Schema.READ)) {
        ps.setInt(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw new IllegalStateException("no account " + id);
          }
          balance = rs.getLong(1);
        }
      }
      c.commit();
      return balance;
    } catch (SQLException | RuntimeException e) {
      rollback(c, e);
      throw e;
    } finally {
      c.close();
    }
  }

  @Override
  public void write(int from, int to, long amount) throws SQLException {
    Connection c = ds.getConnection();
    try {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(Schema.DEBIT)) {
        ps.setLong(1, amount);
        ps.setInt(2, from);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement(Schema.CREDIT)) {
        ps.setLong(1, amount);
        ps.setInt(2, to);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement(Schema.LOG)) {
        ps.setInt(1, from);
        ps.setInt(2, to);
        ps.setLong(3, amount);
        ps.executeUpdate();
      }
      c.commit();
    } catch (SQLException | RuntimeException e) {
      rollback(c, e);
      throw e;
    } finally {
      c.close();
    }
  }

  /** A failed rollback must not hide the error that caused it. */
  static void rollback(Connection c, Exception cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  @Override
  public void close() {
    ds.close();
  }
}
