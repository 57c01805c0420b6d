package dev.txguard.queue;

import dev.txguard.TxException;
import java.util.Optional;

/**
 * A job awaited by {@link JobQueue#call} ended without completing: every attempt failed ({@link
 * JobState#FAILED}), its handler gave up ({@link JobState#DISCARDED}) or it was {@link
 * JobState#CANCELLED}. The message names the job, its final state and its last error.
 */
public class JobFailedException extends TxException {
  private final long jobId;
  private final JobState state;
  private final transient JobError lastError;

  /**
   * Creates the exception.
   *
   * @param jobId the job
   * @param state its final state
   * @param lastError its last recorded error, or null when none was recorded (e.g. cancelled before
   *     it ran)
   */
  public JobFailedException(long jobId, JobState state, JobError lastError) {
    super(
        "job "
            + jobId
            + " ended "
            + state.sqlName()
            + (lastError == null
                ? " without a recorded error"
                : " after attempt " + lastError.attempt() + ": " + lastError.error()));
    this.jobId = jobId;
    this.state = state;
    this.lastError = lastError;
  }

  /** {@return the job that did not complete} */
  public long jobId() {
    return jobId;
  }

  /** {@return its final state: failed, discarded or cancelled} */
  public JobState state() {
    return state;
  }

  /** {@return its last recorded error, if any} */
  public Optional<JobError> lastError() {
    return Optional.ofNullable(lastError);
  }
}
