package dev.txguard;

/**
 * Every attempt of a unit failed with a retryable error (serialization failure, deadlock, or a
 * connection lost before {@code COMMIT}). The cause is the last attempt's failure; earlier
 * attempts' failures are attached as suppressed exceptions, oldest first.
 */
public class RetriesExhaustedException extends TxException {
  private final int attempts;

  /**
   * Creates the exception.
   *
   * @param message names the unit, the attempts and the last error
   * @param attempts how many attempts ran
   * @param cause the last attempt's failure
   */
  public RetriesExhaustedException(String message, int attempts, Throwable cause) {
    super(message, cause);
    this.attempts = attempts;
  }

  /** {@return how many attempts ran, all of which failed} */
  public int attempts() {
    return attempts;
  }
}
