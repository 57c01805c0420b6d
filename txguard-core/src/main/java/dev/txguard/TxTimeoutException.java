package dev.txguard;

/**
 * The unit ran past its {@link TxOptions#timeout(java.time.Duration) timeout}, which bounds the
 * whole unit across all attempts. By the time this is thrown the unit is over: its statement was
 * cancelled, its transaction rolled back (its locks released) and its connection discarded, even if
 * the callback was stuck outside the database.
 */
public class TxTimeoutException extends TxException {
  /**
   * Creates the exception.
   *
   * @param message names the unit, its timeout and the time it ran
   * @param cause the error that surfaced the timeout (e.g. a cancelled statement), or {@code null}
   */
  public TxTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
