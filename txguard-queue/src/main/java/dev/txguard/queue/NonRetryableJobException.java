package dev.txguard.queue;

import dev.txguard.TxException;

/**
 * Thrown by a handler to end its job as {@link JobState#DISCARDED} at once: no further attempt will
 * help (bad arguments, a resource that is gone). The message is recorded with the job.
 */
public class NonRetryableJobException extends TxException {
  /**
   * Creates the exception.
   *
   * @param message why the job cannot succeed
   */
  public NonRetryableJobException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message why the job cannot succeed
   * @param cause the underlying error
   */
  public NonRetryableJobException(String message, Throwable cause) {
    super(message, cause);
  }
}
