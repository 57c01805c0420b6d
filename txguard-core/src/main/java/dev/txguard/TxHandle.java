package dev.txguard;

/**
 * A unit begun by hand with {@link Database#begin(TxOptions)}, for code that cannot be written as a
 * callback. Use it in try-with-resources: {@link #close()} rolls the unit back unless it was
 * committed, so an early return or an exception can never leave the transaction open.
 *
 * <pre>{@code
 * try (TxHandle h = db.begin(TxOptions.defaults().name("import"))) {
 *   h.tx().update("insert into product(sku) values (?)", sku);
 *   h.commit();
 * }
 * }</pre>
 *
 * <p>A manual unit is never retried and does not become the thread's current unit: a nested {@code
 * db.inTx} does not join it, and takes its connection from the same level's pool (with a pool of
 * one it waits for the handle's connection until the connection timeout; wrap such work in {@code
 * db.isolated(...)}, which runs it one level up). A handle that is never closed is reported as a
 * leak (with the stack that opened it) once it is older than the database's leak threshold, and
 * rolled back with its connection reclaimed once it is no longer reachable. The unit's timeout, if
 * any, applies: past it the unit is rolled back and its connection closed at once, and the handle's
 * next statement or {@code commit} throws {@link TxTimeoutException}. Not for concurrent use.
 */
public interface TxHandle extends AutoCloseable {
  /** {@return the unit's {@link Tx}} */
  Tx tx();

  /**
   * Commits the unit.
   *
   * @throws TransactionAbortedException if an earlier error aborted it (it is rolled back instead)
   * @throws CommitOutcomeUnknownException if the connection was lost during {@code COMMIT}
   * @throws TxTimeoutException if its timeout passed (it was rolled back)
   * @throws IllegalStateException if {@code commit}, {@code rollback} or {@code close} was already
   *     called
   */
  void commit();

  /**
   * Rolls the unit back (a unit that timed out already was; this ends it and runs its
   * after-rollback actions).
   *
   * @throws IllegalStateException if {@code commit}, {@code rollback} or {@code close} was already
   *     called
   */
  void rollback();

  /**
   * Rolls the unit back unless {@code commit} or {@code rollback} already ended it; never throws
   * for that.
   */
  @Override
  void close();
}
