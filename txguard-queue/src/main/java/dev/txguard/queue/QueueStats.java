package dev.txguard.queue;

import java.util.EnumMap;
import java.util.Map;

/**
 * Job counts per queue and state at one moment, from {@link JobQueue#stats()}.
 *
 * @param counts per queue name, the number of jobs in each state (states without jobs are absent)
 */
public record QueueStats(Map<String, Map<JobState, Long>> counts) {
  /** Copies {@code counts}. */
  public QueueStats {
    counts = Map.copyOf(counts);
  }

  /**
   * Jobs in {@code state} over all queues.
   *
   * @param state the state to count
   * @return the sum over all queues; 0 when none
   */
  public long count(JobState state) {
    return counts.values().stream().mapToLong(m -> m.getOrDefault(state, 0L)).sum();
  }

  /**
   * Jobs in {@code state} on {@code queue}.
   *
   * @param queue the queue's name
   * @param state the state to count
   * @return 0 when the queue has no such job (or does not exist)
   */
  public long count(String queue, JobState state) {
    return counts.getOrDefault(queue, Map.of()).getOrDefault(state, 0L);
  }

  /** {@return jobs per state over all queues} */
  public Map<JobState, Long> byState() {
    Map<JobState, Long> total = new EnumMap<>(JobState.class);
    counts.values().forEach(m -> m.forEach((s, n) -> total.merge(s, n, Long::sum)));
    return total;
  }

  /** {@return all jobs in the table} */
  public long total() {
    return byState().values().stream().mapToLong(Long::longValue).sum();
  }
}
