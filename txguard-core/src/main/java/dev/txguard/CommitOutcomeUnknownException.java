package dev.txguard;

/**
 * The connection was lost while {@code COMMIT} was in flight, so nobody knows whether the unit
 * committed. txguard never retries such a unit: running it again could apply its writes twice.
 * Callers must check the database (e.g. by a business key written in the unit) before acting.
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
