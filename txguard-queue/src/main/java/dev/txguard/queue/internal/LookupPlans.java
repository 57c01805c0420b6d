package dev.txguard.queue.internal;

import dev.txguard.RowMapper;
import dev.txguard.Tx;
import java.util.List;

/**
 * Runs a statement of the queue's that finds jobs by key after plan_lookups.sql in the same unit:
 * the planner settings for the transaction, then the statement, so that whatever plan the server
 * makes for the statement, or caches for it, looks the jobs up in an index however small the job
 * table is at that moment (plan_lookups.sql says why). One round trip for the settings: sent as one
 * multi-statement text with the statement, they failed to bind wherever pgjdbc forces binary
 * transfer (a {@code prepareThreshold} of -1 at connect, the {@code org.postgresql.forceBinary}
 * system property: SQLSTATE 08P01, and no claim succeeded), and no throughput difference showed for
 * the round trip saved (BENCHMARKS.md, session 13). The settings last until the unit ends, its
 * COMMIT included, so later statements and deferred triggers of the unit are planned with them too:
 * call this only in the queue's own units that insert no job (not in a transactional job's, not in
 * a call's enqueue, not in one that may join a caller's unit). Stateless.
 */
final class LookupPlans {
  private LookupPlans() {}

  /**
   * {@code statement}'s rows, mapped in order, after the plan settings of {@code sql}; throws as
   * {@link Tx#query}.
   */
  static <T> List<T> query(
      Tx tx, Sql sql, String statement, RowMapper<T> mapper, Object... params) {
    tx.queryOne(sql.planLookups, rs -> Boolean.TRUE);
    return tx.query(statement, mapper, params);
  }
}
