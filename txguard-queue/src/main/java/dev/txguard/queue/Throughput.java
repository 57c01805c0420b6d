package dev.txguard.queue;

import java.time.Instant;
import java.util.List;

/**
 * How many jobs reached a final state per minute over a window, from {@link
 * QueueAdmin#throughput(java.time.Duration)}. Minutes come from the jobs' {@code finalized_at};
 * jobs deleted after the queue's retention (or by {@code prune}) are no longer counted.
 *
 * @param from the start of the window (exclusive), the database's time
 * @param to the end of the window (inclusive), the database's time of the reading
 * @param minutes every minute of the window, oldest first, each started at a whole minute; minutes
 *     without finished jobs hold zeros
 */
public record Throughput(Instant from, Instant to, List<Minute> minutes) {
  /** Copies {@code minutes}. */
  public Throughput {
    minutes = List.copyOf(minutes);
  }

  /**
   * Jobs that ended in {@code state} over the whole window; zero for states that are not final.
   *
   * @param state the end state to count
   * @return the sum over the window's minutes
   */
  public long total(JobState state) {
    return minutes.stream().mapToLong(m -> m.count(state)).sum();
  }

  /**
   * Failed and discarded jobs as a fraction of all jobs that ended completed, failed or discarded
   * over the window (cancelled ones are left out: an operator chose that end).
   *
   * @return 0.0 to 1.0; 0.0 when no job ended
   */
  public double failureRate() {
    long bad = total(JobState.FAILED) + total(JobState.DISCARDED);
    long all = bad + total(JobState.COMPLETED);
    return all == 0 ? 0.0 : (double) bad / all;
  }

  /**
   * One minute of the window.
   *
   * @param start the minute's first instant
   * @param completed jobs that completed in it
   * @param failed jobs that failed for good (all attempts used)
   * @param discarded jobs discarded (non-retryable error)
   * @param cancelled jobs cancelled
   */
  public record Minute(Instant start, long completed, long failed, long discarded, long cancelled) {
    /**
     * Jobs that ended in {@code state} in this minute; zero for states that are not final.
     *
     * @param state the end state to count
     * @return the jobs that ended in it in this minute
     */
    public long count(JobState state) {
      return switch (state) {
        case COMPLETED -> completed;
        case FAILED -> failed;
        case DISCARDED -> discarded;
        case CANCELLED -> cancelled;
        default -> 0;
      };
    }
  }
}
