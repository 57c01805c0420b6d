package dev.txguard.internal;

import dev.txguard.RowMapper;
import dev.txguard.Tx;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The {@link Tx} of one attempt. Confined to the unit's thread. */
public final class TxImpl implements Tx {
  final Unit unit;
  /** Keeps a manual handle reachable while its Tx is: see {@code ManualHandle}. */
  @SuppressWarnings("unused")
  private final Object keepAlive;
  private Connection guarded;

  TxImpl(Unit unit, Object keepAlive) {
    this.unit = unit;
    this.keepAlive = keepAlive;
  }

  @Override
  public Connection connection() {
    unit.checkOpen();
    if (guarded == null) {
      guarded = GuardedConnection.wrap(unit);
    }
    return guarded;
  }

  @Override
  public int update(String sql, Object... params) {
    requireSql(sql);
    requireParams(params);
    unit.checkUsable();
    try (PreparedStatement ps = unit.conn.prepareStatement(sql)) {
      bind(ps, params);
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw unit.statementFailed(e, sql);
    }
  }

  @Override
  public <T> List<T> query(String sql, RowMapper<T> mapper, Object... params) {
    requireSql(sql);
    requireMapper(mapper);
    requireParams(params);
    unit.checkUsable();
    try (PreparedStatement ps = unit.conn.prepareStatement(sql)) {
      bind(ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        List<T> rows = new ArrayList<>();
        while (rs.next()) {
          rows.add(mapper.map(rs));
        }
        return rows;
      }
    } catch (SQLException e) {
      throw unit.statementFailed(e, sql);
    }
  }

  @Override
  public <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... params) {
    requireSql(sql);
    requireMapper(mapper);
    requireParams(params);
    unit.checkUsable();
    try (PreparedStatement ps = unit.conn.prepareStatement(sql)) {
      bind(ps, params);
      ps.setMaxRows(2);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        T value = mapper.map(rs);
        if (rs.next()) {
          throw new IllegalStateException("queryOne expected at most one row but the query returned more: " + sql);
        }
        return Optional.ofNullable(value);
      }
    } catch (SQLException e) {
      throw unit.statementFailed(e, sql);
    }
  }

  @Override
  public int attempt() {
    return unit.attempt;
  }

  @Override
  public String name() {
    return unit.name();
  }

  /** The level this unit's connection comes from. */
  public int level() {
    return unit.level;
  }

  static void bind(PreparedStatement ps, Object[] params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      ps.setObject(i + 1, jdbcValue(params[i]));
    }
  }

  private static Object jdbcValue(Object value) {
    if (value instanceof Instant instant) {
      return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
    if (value instanceof Enum<?> e) {
      return e.name();
    }
    return value;
  }

  static void requireSql(String sql) {
    if (sql == null) {
      throw new IllegalArgumentException("sql must not be null");
    }
  }

  private static void requireMapper(RowMapper<?> mapper) {
    if (mapper == null) {
      throw new IllegalArgumentException("mapper must not be null");
    }
  }

  private static void requireParams(Object[] params) {
    if (params == null) {
      throw new IllegalArgumentException(
          "params array is null; to bind a single SQL NULL pass (Object) null");
    }
  }

  @Override
  public String toString() {
    return "Tx[" + unit + "]";
  }
}
