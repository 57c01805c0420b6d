package dev.txguard.queue;

/**
 * What a {@link Schedule} does with instants that were <em>missed</em>: found due more than its
 * {@link Schedule#grace(java.time.Duration) grace} late, because no process was leading (all down,
 * or none started) when they came. Instants found less than the grace late are never missed: they
 * are enqueued, each once, whatever the policy, so a leader change or a short restart loses none.
 */
public enum MissedRuns {
  /** Missed instants are not enqueued; the schedule goes on with its next instant on time. */
  SKIP,
  /**
   * The latest missed instant is enqueued once, late (its job's run-at is the instant, so it runs
   * at once); the earlier missed instants are not. The default.
   */
  RUN_ONCE
}
