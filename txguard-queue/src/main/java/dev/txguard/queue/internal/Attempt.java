package dev.txguard.queue.internal;

import dev.txguard.queue.JobEvent;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.UUID;

/**
 * One claimed attempt of a job, as the claim statement returned it, plus the thread running it. The
 * {@code token} is the attempt token: every statement about this attempt matches on it.
 */
final class Attempt {
  final long id;
  final String kind;
  final String queue;
  final String argsJson;
  final int number;
  final int maxAttempts;
  final Instant createdAt;
  final UUID token;

  /** The job's group, or null. */
  final String group;

  /** Whether a caller of {@code queue.call} waits for this job. */
  final boolean awaited;

  /** The txguard level this attempt's units run at. */
  final int level;

  final long startedNanos = System.nanoTime();
  volatile Thread thread;

  /** Set when a heartbeat found the lease gone or shutdown gave the lease up. */
  volatile boolean leaseLost;

  /**
   * Set when the attempt begins recording its failure: from then on a heartbeat that finds the job
   * unfinished without this lease may be seeing the attempt's own record (the job made available or
   * retryable again), not a rescue, and must neither report the lease lost nor interrupt the
   * attempt. A lease really lost meanwhile is found by the record itself, which matches on the
   * attempt token and reports the loss.
   */
  volatile boolean ending;

  /** Set when cancel asked this job to stop (locally, or seen by a heartbeat). */
  volatile boolean cancelRequested;

  Attempt(
      long id,
      String kind,
      String queue,
      String argsJson,
      int number,
      int maxAttempts,
      Instant createdAt,
      UUID token,
      String group,
      boolean awaited,
      int level) {
    this.id = id;
    this.kind = kind;
    this.queue = queue;
    this.argsJson = argsJson;
    this.number = number;
    this.maxAttempts = maxAttempts;
    this.createdAt = createdAt;
    this.token = token;
    this.group = group;
    this.awaited = awaited;
    this.level = level;
  }

  /** The attempt a row of claim.sql describes, to run at {@code level}; read by column name. */
  static Attempt claimed(ResultSet rs, int level) throws SQLException {
    Attempt a =
        new Attempt(
            rs.getLong("id"),
            rs.getString("kind"),
            rs.getString("queue"),
            rs.getString("args"),
            rs.getInt("attempt"),
            rs.getInt("max_attempts"),
            Rows.instant(rs, "created_at"),
            rs.getObject("lease_token", UUID.class),
            rs.getString("job_group"),
            rs.getBoolean("awaited"),
            level);
    a.cancelRequested = rs.getBoolean("cancel_requested");
    return a;
  }

  JobEvent event() {
    return new JobEvent(id, kind, queue, number);
  }

  @Override
  public String toString() {
    return "job "
        + id
        + " ("
        + kind
        + " on "
        + queue
        + ", attempt "
        + number
        + ", token "
        + token
        + ")";
  }
}
