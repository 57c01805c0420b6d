package dev.txguard.queue.internal;

import dev.txguard.RowMapper;
import dev.txguard.Tx;
import dev.txguard.internal.TxImpl;
import java.util.List;

/**
 * Runs a statement of the queue's that finds jobs by key after plan_lookups.sql, in the same round
 * trip: the planner settings for the transaction, then the statement, sent as one text (see {@link
 * TxImpl#queryAfter}), so that whatever plan the server makes for the statement, or caches for it,
 * looks the jobs up in an index however small the job table is at that moment (plan_lookups.sql
 * says why). The settings last until the unit ends, its COMMIT included, so later statements and
 * deferred triggers of the unit are planned with them too: call this only in the queue's own units
 * (not in a transactional job's, nor in one that may join a caller's unit). Stateless.
 */
final class LookupPlans {
  private LookupPlans() {}

  /**
   * {@code statement}'s rows, mapped in order, after the plan settings of {@code sql}; throws as
   * {@link Tx#query}.
   */
  static <T> List<T> query(
      Tx tx, Sql sql, String statement, RowMapper<T> mapper, Object... params) {
    if (tx instanceof TxImpl unit) {
      return unit.queryAfter(sql.planLookups, statement, mapper, params);
    }
    tx.queryOne(sql.planLookups, rs -> Boolean.TRUE); // a Tx of another implementation
    return tx.query(statement, mapper, params);
  }
}
