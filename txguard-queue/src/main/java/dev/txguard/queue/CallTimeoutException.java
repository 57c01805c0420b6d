package dev.txguard.queue;

import dev.txguard.TxException;

/**
 * {@link JobQueue#call} waited its whole timeout and the job had not ended. The job is not
 * cancelled: it may still run and complete later; cancel it with {@link JobQueue#cancel(long)} if
 * its result is no longer wanted. The message names the job, the timeout and its last seen state.
 */
public class CallTimeoutException extends TxException {
  private final long jobId;

  /**
   * Creates the exception.
   *
   * @param jobId the awaited job
   * @param message what was awaited, how long, and the job's last seen state
   */
  public CallTimeoutException(long jobId, String message) {
    super(message);
    this.jobId = jobId;
  }

  /** {@return the job that did not end in time} */
  public long jobId() {
    return jobId;
  }
}
