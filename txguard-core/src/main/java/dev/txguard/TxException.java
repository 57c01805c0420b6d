package dev.txguard;

/**
 * The root of every exception txguard throws. Unchecked; subclasses exist only where a caller may
 * want to branch on the failure. Diagnostic state (SQLSTATE, unit name, attempt, elapsed time) is
 * in the message; a failure during cleanup is attached with {@link #addSuppressed(Throwable)} and
 * never replaces the original error.
 */
public class TxException extends RuntimeException {
  /**
   * Creates an exception.
   *
   * @param message what went wrong, naming the unit and the setting or statement involved
   * @param cause the underlying error, or {@code null}
   */
  public TxException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Creates an exception without a cause.
   *
   * @param message what went wrong
   */
  public TxException(String message) {
    super(message);
  }
}
