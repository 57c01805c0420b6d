package dev.txguard;

/**
 * Work that runs inside a unit and returns a value; see {@link Database#inTx(TxFunction)}. It may
 * throw a checked exception, which reaches the caller of {@code inTx} unchanged (after the unit has
 * rolled back).
 *
 * <p>The function may run more than once when the unit is retried: keep side effects outside the
 * database out of it, or register them with {@link Tx#afterCommit(Runnable)}.
 *
 * @param <T> the result type
 * @param <X> the checked exception the work may throw
 */
@FunctionalInterface
public interface TxFunction<T, X extends Exception> {
  /**
   * Does the unit's work.
   *
   * @param tx the unit
   * @return the result handed to the caller after commit
   * @throws X to roll the unit back
   */
  T apply(Tx tx) throws X;
}
