package dev.txguard;

/**
 * Code that must not run inside a unit (an HTTP call, an e-mail, a message to a broker) was called
 * while one is open on the thread: the unit may still roll back, or run again on retry, after the
 * side effect happened. Thrown by {@link Transactions#assertNoTransaction(String)}; the message
 * names the side effect and the open unit.
 */
public class SideEffectInTransactionException extends TxException {
  /**
   * Creates the exception.
   *
   * @param message names the side effect and the unit
   */
  public SideEffectInTransactionException(String message) {
    super(message);
  }
}
