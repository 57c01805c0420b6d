package dev.txguard.internal;

import dev.txguard.RowMapper;
import dev.txguard.StaleDataException;
import dev.txguard.Tx;
import dev.txguard.TxException;
import dev.txguard.TxFunction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link Tx} of one attempt. Confined to the unit's thread. A little over the usual 300 lines
 * because it implements the whole {@link Tx} interface (statements, query helpers, savepoints,
 * hooks), each method short, with the statement work in {@link Unit}.
 */
public final class TxImpl implements Tx {
  final Unit unit;

  /** The outcome of a callback attempt, set by {@link RetryLoop}: what the callback returned... */
  Object result;

  /** ...or what it threw (then the attempt was rolled back). */
  Throwable failure;

  /** Keeps a manual handle reachable while its Tx is: see {@code ManualHandle}. */
  @SuppressWarnings("unused")
  private final Object keepAlive;

  private Connection guarded;

  TxImpl(Unit unit, Object keepAlive) {
    this.unit = unit;
    this.keepAlive = keepAlive;
  }

  /**
   * Tells the unit its transaction id, as a statement of this unit returned it ({@code
   * pg_current_xact_id()::text}, PostgreSQL 13+; the 64-bit id with epoch), so that commit-outcome
   * resolution ({@link CommitResolver}) uses it instead of asking for it before COMMIT, one round
   * trip fewer. For txguard's own modules (this package is exported only to them). Ignored when
   * {@code xid} is null or not a positive number. Confined to the unit's thread, like the unit.
   *
   * @param xid the transaction id as text, as PostgreSQL returned it
   */
  public void transactionIdKnown(String xid) {
    if (xid == null) {
      return;
    }
    try {
      long id = Long.parseLong(xid);
      if (id > 0) {
        unit.knownXid = id;
      }
    } catch (NumberFormatException e) {
      // not an id: resolution asks the server, as without it
    }
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
    return run(sql, params, PreparedStatement::executeUpdate);
  }

  @Override
  public <T> List<T> query(String sql, RowMapper<T> mapper, Object... params) {
    requireMapper(mapper);
    return run(
        sql,
        params,
        ps -> {
          try (ResultSet rs = ps.executeQuery()) {
            List<T> rows = new ArrayList<>();
            while (rs.next()) {
              rows.add(mapper.map(rs));
            }
            return rows;
          }
        });
  }

  @Override
  public <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... params) {
    requireMapper(mapper);
    return run(
        sql,
        params,
        ps -> {
          ps.setMaxRows(2);
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              return Optional.empty();
            }
            T value = mapper.map(rs);
            if (rs.next()) {
              throw new IllegalStateException(
                  "queryOne expected at most one row but the query returned more: " + sql);
            }
            return Optional.ofNullable(value);
          }
        });
  }

  /** What a statement method does with its prepared, bound statement. */
  @FunctionalInterface
  private interface StatementWork<R> {
    R apply(PreparedStatement ps) throws SQLException;
  }

  /** Checks the unit, prepares and binds {@code sql}, and reports a failure to the unit. */
  private <R> R run(String sql, Object[] params, StatementWork<R> work) {
    requireSql(sql);
    Parameters.require(params);
    unit.checkUsable();
    R result;
    try {
      unit.admit(sql);
      try (PreparedStatement ps = unit.conn.prepareStatement(sql)) {
        Parameters.bind(ps, params);
        result = work.apply(ps);
      }
    } catch (SQLException e) {
      throw unit.statementFailed(e, sql);
    }
    unit.afterStatement(sql);
    return result;
  }

  @Override
  public <T, X extends Exception> T savepoint(TxFunction<T, X> work) throws X {
    if (work == null) {
      throw new IllegalArgumentException("work must not be null");
    }
    SavepointMark mark = SavepointMark.set(unit);
    T result;
    try {
      result = work.apply(this);
    } catch (Throwable t) {
      mark.rollback(unit, t);
      throw Failures.rethrow(t);
    }
    if (unit.aborted()) {
      RuntimeException swallowed = unit.abortedException("savepoint work returned normally");
      mark.rollback(unit, swallowed);
      throw swallowed;
    }
    mark.release(unit);
    return result;
  }

  @Override
  public void afterCommit(Runnable action) {
    unit.addHook(true, action);
  }

  @Override
  public void afterRollback(Runnable action) {
    unit.addHook(false, action);
  }

  @Override
  public int updateExactly(int rows, String sql, Object... params) {
    if (rows < 0) {
      throw new IllegalArgumentException("rows must be zero or more, was " + rows);
    }
    int actual = update(sql, params);
    if (actual != rows) {
      throw new StaleDataException(
          "expected "
              + rows
              + " row"
              + (rows == 1 ? "" : "s")
              + " to change but "
              + actual
              + " did, in unit '"
              + name()
              + "': "
              + sql.strip().replaceAll("\\s+", " ")
              + (actual < rows ? " (the row is gone or no longer in the expected state)" : ""),
          rows,
          actual);
    }
    return actual;
  }

  @Override
  public <K> K insertOrGet(
      String table,
      Map<String, ?> key,
      Map<String, ?> values,
      String returning,
      RowMapper<K> mapper) {
    InsertOrGet statements = InsertOrGet.of(unit.dialect, table, key, values, returning);
    requireMapper(mapper);
    for (int round = 0; round < 3; round++) {
      Optional<K> row = insertOrRead(statements, mapper);
      if (row.isPresent()) {
        return row.get();
      }
      // the conflicting row was deleted between the two statements: try again
    }
    throw new TxException(
        "insertOrGet into "
            + table
            + " found a conflicting row three times but could not"
            + " read it back (deleted in between each time?): is "
            + key.keySet()
            + " the key of a unique constraint?");
  }

  /**
   * One round of {@link #insertOrGet}: the inserted row, else the row holding the key, else empty
   * (that row was deleted between the two statements).
   */
  private <K> Optional<K> insertOrRead(InsertOrGet statements, RowMapper<K> mapper) {
    if (unit.dialect.insertReturnsRow()) {
      Optional<K> inserted = queryOne(statements.insertSql(), mapper, statements.insertParams());
      if (inserted.isPresent()) {
        return inserted;
      }
    } else {
      update(statements.insertSql(), statements.insertParams());
    }
    return queryOne(statements.selectSql(), mapper, statements.keyParams());
  }

  @Override
  public void lock(Object key) {
    advisory(false, key);
  }

  @Override
  public void lockShared(Object key) {
    advisory(true, key);
  }

  @Override
  public boolean tryLock(Object key) {
    int id = LockKeys.id(key);
    return queryOne(
            unit.dialect.tryTransactionLock(), rs -> rs.getBoolean(1), LockKeys.namespace(), id)
        .orElseThrow();
  }

  @Override
  public void lockAll(Collection<?> keys) {
    Integer[] ids = LockKeys.sortedIds(keys);
    if (ids.length == 0) {
      return;
    }
    String all = unit.dialect.transactionLockAll();
    if (all == null) { // no array parameters: one by one, in the same ascending order
      for (Integer id : ids) {
        query(unit.dialect.transactionLock(false), rs -> 1, LockKeys.namespace(), id);
      }
      return;
    }
    // the dialect's statement takes the locks in the array's (ascending) order
    query(all, rs -> 1, LockKeys.namespace(), ids);
  }

  @Override
  public int lockRows(String table, String idColumn, Collection<?> ids) {
    LockKeys.identifier("table", table);
    LockKeys.identifier("idColumn", idColumn);
    if (ids == null) {
      throw new IllegalArgumentException("ids must not be null");
    }
    if (ids.isEmpty()) {
      return 0;
    }
    Object[] array = ids.toArray();
    // the dialect's query locks the rows in ascending id order
    String sql = unit.dialect.lockRows(table, idColumn, array.length);
    return (unit.dialect.bindsArrays()
            ? query(sql, rs -> 1, (Object) array)
            : query(sql, rs -> 1, array))
        .size();
  }

  private void advisory(boolean shared, Object key) {
    int id = LockKeys.id(key);
    query(unit.dialect.transactionLock(shared), rs -> 1, LockKeys.namespace(), id);
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
    return unit.level();
  }

  private static void requireSql(String sql) {
    if (sql == null) {
      throw new IllegalArgumentException("sql must not be null");
    }
  }

  private static void requireMapper(RowMapper<?> mapper) {
    if (mapper == null) {
      throw new IllegalArgumentException("mapper must not be null");
    }
  }

  @Override
  public String toString() {
    return "Tx[" + unit + "]";
  }
}
