package dev.txguard.queue;

import dev.txguard.TxException;

/**
 * An attempt tried to complete, heartbeat or record its failure after losing its lease: the lease
 * expired and the job was rescued (and possibly claimed again with a new attempt token), or the
 * queue gave it up at shutdown. Nothing the stale attempt did is recorded; in a {@link
 * TransactionalHandler} its writes are rolled back.
 */
public class LeaseLostException extends TxException {
  private final long jobId;

  /**
   * Creates the exception.
   *
   * @param jobId the job whose attempt lost its lease
   * @param message what was refused and why
   */
  public LeaseLostException(long jobId, String message) {
    super(message);
    this.jobId = jobId;
  }

  /** {@return the job whose attempt lost its lease} */
  public long jobId() {
    return jobId;
  }
}
