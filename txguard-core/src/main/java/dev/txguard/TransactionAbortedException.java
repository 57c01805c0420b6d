package dev.txguard;

/**
 * The unit was aborted by an earlier error and can do nothing more but roll back.
 *
 * <p>PostgreSQL refuses every statement after the first error in a transaction ("current
 * transaction is aborted, commands ignored until end of transaction block"), and a {@code COMMIT}
 * of such a transaction silently rolls back. txguard makes both loud: a later statement fails at
 * once, without a round trip, and a callback that swallowed the error and returned normally gets
 * this exception instead of a false commit. The cause is the original error; the message names its
 * SQLSTATE and statement. To recover from an expected error inside a unit, run the statement in
 * {@link Tx#savepoint}.
 */
public class TransactionAbortedException extends TxException {
  /**
   * Creates the exception.
   *
   * @param message what was refused and why, naming the original error
   * @param cause the error that aborted the unit
   */
  public TransactionAbortedException(String message, Throwable cause) {
    super(message, cause);
  }
}
