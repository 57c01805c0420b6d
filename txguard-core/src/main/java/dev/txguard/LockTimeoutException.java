package dev.txguard;

/**
 * An advisory lock was not granted within its timeout. The message names the key, the lock mode and
 * how long the caller waited.
 */
public class LockTimeoutException extends TxException {
  /**
   * Creates the exception.
   *
   * @param message names the key, mode and wait
   * @param cause the database's lock-timeout error, or {@code null}
   */
  public LockTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
