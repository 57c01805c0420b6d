package dev.txguard.queue;

/**
 * Where a job is in its life; see the package description for the transitions. The four final
 * states are {@link #COMPLETED}, {@link #FAILED}, {@link #CANCELLED} and {@link #DISCARDED}.
 */
public enum JobState {
  /** Waiting for its run-at time; maintenance makes it {@link #AVAILABLE} then. */
  SCHEDULED,
  /** Ready to be claimed by a worker. */
  AVAILABLE,
  /**
   * Claimed by a worker that holds its lease. Its handler may not have started yet: a worker claims
   * up to its prefetch ahead of its free slots, and a job it claimed waits there as RUNNING.
   */
  RUNNING,
  /** An attempt failed; waits for its retry time, then becomes {@link #AVAILABLE}. */
  RETRYABLE,
  /** Final: a handler succeeded; its result, if any, is recorded. */
  COMPLETED,
  /** Final: every allowed attempt failed; the errors are recorded. */
  FAILED,
  /** Final: cancelled before it completed. */
  CANCELLED,
  /** Final: the handler reported a non-retryable error ({@link NonRetryableJobException}). */
  DISCARDED;

  /** {@return whether no further attempt will run} */
  public boolean isFinal() {
    return ordinal() >= COMPLETED.ordinal();
  }

  /** {@return the state's name as stored in the database ({@code "available"}, ...)} */
  public String sqlName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * The state stored as {@code name}.
   *
   * @param name the state's name as stored in the database, e.g. {@code "available"} (any case)
   * @return the state
   * @throws IllegalArgumentException if {@code name} is not a state
   */
  public static JobState fromSql(String name) {
    return valueOf(name.toUpperCase(java.util.Locale.ROOT));
  }
}
