package dev.txguard.queue;

/**
 * What {@link JobQueue#cancelGroup(String, java.time.Duration)} did.
 *
 * @param cancelled jobs that had not started (scheduled, available, retryable) and are now
 *     cancelled: they never run
 * @param waitedFor running attempts that were asked to stop and ended before the wait was over;
 *     with {@link JobQueue.Builder#prefetch} this includes jobs a worker had claimed ahead and not
 *     yet started (they end cancelled without running)
 * @param stillRunning running attempts that had not ended when the wait ran out (0 when the wait
 *     succeeded); they were asked to stop and end cancelled if they fail
 */
public record CancelResult(int cancelled, int waitedFor, int stillRunning) {
  /** {@return whether every running attempt of the group ended within the wait} */
  public boolean allStopped() {
    return stillRunning == 0;
  }
}
