package dev.txguard.queue;

import java.time.Duration;
import java.time.Instant;

/**
 * Receives job events, for metrics and logging. Every method has a no-op default. Calls come on the
 * thread that ran the attempt (rescues: on the maintenance thread; give-ups: on a thread of {@code
 * stop}); a listener that throws, even an {@link Error}, is logged and otherwise ignored.
 * Implementations must be thread-safe and fast.
 */
public interface QueueListener {
  /**
   * A worker of this process claimed the job and is about to run the attempt.
   *
   * @param job the job's id, kind, queue and attempt number
   */
  default void onFetched(JobEvent job) {}

  /**
   * The attempt succeeded and the job is {@link JobState#COMPLETED}.
   *
   * @param job the job's id, kind, queue and attempt number
   * @param elapsed how long the attempt ran, from its start to its completion
   */
  default void onCompleted(JobEvent job, Duration elapsed) {}

  /**
   * The attempt failed and the job will run again at {@code nextRunAt}.
   *
   * @param error what the handler threw
   * @param job the job's id, kind, queue and attempt number
   * @param nextRunAt when the job becomes available again, after the retry backoff
   */
  default void onRetried(JobEvent job, Throwable error, Instant nextRunAt) {}

  /**
   * The attempt failed and the job ended as {@code state}: {@link JobState#FAILED} (attempts
   * exhausted), {@link JobState#DISCARDED} (non-retryable error, or a result that cannot be stored)
   * or {@link JobState#CANCELLED} (cancel was requested while it ran: the handler then threw, or
   * graceful stop ended the attempt, {@code error} being a {@link
   * java.util.concurrent.CancellationException} then).
   *
   * @param job the job's id, kind, queue and attempt number
   * @param error what the handler threw
   * @param state the final state
   */
  default void onFailed(JobEvent job, Throwable error, JobState state) {}

  /**
   * The attempt had lost its lease when it tried to complete or record its failure (or graceful
   * stop took the lease away and interrupted it); nothing it did was recorded.
   *
   * @param job the job's id, kind, queue and attempt number
   * @param error names the job and what could not be recorded
   */
  default void onLeaseLost(JobEvent job, LeaseLostException error) {}

  /**
   * Maintenance in this process found the job's lease expired and moved it to {@code state}: {@link
   * JobState#AVAILABLE} for another attempt, {@link JobState#FAILED} (attempts exhausted) or {@link
   * JobState#CANCELLED} (cancel was requested while it ran).
   *
   * @param job the job's id, kind, queue and the attempt whose lease expired
   * @param state the state the job was moved to
   */
  default void onRescued(JobEvent job, JobState state) {}
}
