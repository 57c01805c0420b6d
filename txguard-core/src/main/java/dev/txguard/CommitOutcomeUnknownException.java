package dev.txguard;

/**
 * The connection was lost while {@code COMMIT} was in flight and txguard could not find out whether
 * the unit committed. txguard never retries such a unit: running it again could apply its writes
 * twice. Callers must check the database (e.g. by a business key written in the unit) before
 * acting.
 *
 * <p>This is rare: on PostgreSQL 10 and later, a lost COMMIT is first resolved on a new connection
 * by the transaction's id ({@code pg_xact_status}, PostgreSQL 13+, or {@code txid_status} on 10-12;
 * PostgreSQL docs, "System Information Functions"): a unit that committed returns normally, one
 * that did not fails as before COMMIT (and is retried when retryable). This exception remains for
 * when no answer can be had within the unit's deadline (or the database's connection timeout when
 * it has none), typically because the server stayed unreachable; its message says what was asked
 * and what connecting failed with. On servers before PostgreSQL 10 every lost COMMIT ends here at
 * once. It is also thrown when a unit's transaction was ended by something other than the unit.
 */
public class CommitOutcomeUnknownException extends TxException {
  /**
   * Creates the exception.
   *
   * @param message names the unit
   * @param cause the connection error raised by {@code COMMIT}
   */
  public CommitOutcomeUnknownException(String message, Throwable cause) {
    super(message, cause);
  }
}
