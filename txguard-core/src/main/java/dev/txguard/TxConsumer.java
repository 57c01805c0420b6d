package dev.txguard;

/**
 * Work that runs inside a unit and returns nothing; see {@link Database#useTx(TxConsumer)}. It may
 * throw a checked exception, which reaches the caller of {@code useTx} unchanged (after the unit
 * has rolled back). It may run more than once when the unit is retried.
 *
 * @param <X> the checked exception the work may throw
 */
@FunctionalInterface
public interface TxConsumer<X extends Exception> {
  /**
   * Does the unit's work.
   *
   * @param tx the unit
   * @throws X to roll the unit back
   */
  void accept(Tx tx) throws X;
}
