package dev.txguard.queue.internal;

import dev.txguard.queue.Enqueued;
import dev.txguard.queue.Job;
import dev.txguard.queue.JobEvent;
import dev.txguard.queue.JobState;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * The rows the queue's statements return, as records, each read by the column names its statement
 * gives (see the statement's header in its {@code .sql} file): a statement may add or reorder
 * columns without touching the Java that reads it. Claimed attempts are read by {@link
 * Attempt#claimed}, operators' rows by {@link Admin}.
 */
final class Rows {
  private Rows() {}

  /** record_failure.sql: what the failure made of the job. */
  record FailureOutcome(JobState state, Instant runAt, boolean awaited) {
    static FailureOutcome read(ResultSet rs) throws SQLException {
      return new FailureOutcome(Rows.state(rs), instant(rs, "run_at"), rs.getBoolean("awaited"));
    }
  }

  /** give_up.sql: a lease given back at shutdown (or the job ended cancelled). */
  record GivenUp(String queue, int runLevel, JobState state, boolean awaited) {
    static GivenUp read(ResultSet rs) throws SQLException {
      return new GivenUp(
          rs.getString("queue"), rs.getInt("run_level"), Rows.state(rs), rs.getBoolean("awaited"));
    }
  }

  /** rescue.sql: a job whose lease expired, and what it became. */
  record Rescued(JobEvent job, JobState state, boolean awaited, int runLevel) {
    static Rescued read(ResultSet rs) throws SQLException {
      return new Rescued(
          new JobEvent(
              rs.getLong("id"), rs.getString("kind"), rs.getString("queue"), rs.getInt("attempt")),
          Rows.state(rs),
          rs.getBoolean("awaited"),
          rs.getInt("run_level"));
    }

    Wake wake() {
      return new Wake(job.queue(), runLevel, null);
    }
  }

  /**
   * cancel_job.sql, cancel_group.sql: a job cancelled, or (cancelled false) a running one asked to
   * stop.
   */
  record Marked(long id, boolean cancelled, boolean awaited) {
    static Marked read(ResultSet rs) throws SQLException {
      return new Marked(rs.getLong("id"), rs.getBoolean("cancelled"), rs.getBoolean("awaited"));
    }
  }

  /**
   * complete_batch.sql: an attempt (job id, attempt token) that completed, and whether a caller
   * awaits its job.
   */
  record Completed(long id, String token, boolean awaited, String xact) {
    static Completed read(ResultSet rs) throws SQLException {
      return new Completed(
          rs.getLong("id"), rs.getString("token"), rs.getBoolean("awaited"), rs.getString("xact"));
    }
  }

  /** outcome.sql: what a caller of {@code queue.call} needs. */
  record Outcome(JobState state, String resultJson, String errorsJson) {
    static Outcome read(ResultSet rs) throws SQLException {
      return new Outcome(Rows.state(rs), rs.getString("result"), rs.getString("errors"));
    }
  }

  /** schedule_lock.sql: a schedule's cursor and the round's now. */
  record Cursor(Instant lastAt, Instant now) {
    static Cursor read(ResultSet rs) throws SQLException {
      return new Cursor(instant(rs, "last_at"), instant(rs, "now"));
    }
  }

  /** heartbeat_check.sql: one heartbeat job's state. */
  record Checked(long id, boolean lost, boolean cancelRequested) {
    static Checked read(ResultSet rs) throws SQLException {
      return new Checked(
          rs.getLong("id"), rs.getBoolean("lost"), rs.getBoolean("cancel_requested"));
    }
  }

  /** promote.sql: how many jobs of a queue became available. */
  record Promoted(String queue, int runLevel, int count) {
    static Promoted read(ResultSet rs) throws SQLException {
      return new Promoted(rs.getString("queue"), rs.getInt("run_level"), rs.getInt("promoted"));
    }

    Wake wake() {
      return new Wake(queue, runLevel, null);
    }
  }

  /** admin_retry.sql: a job put back, and its queue (whose workers are woken). */
  record Retried(long id, String queue, int runLevel) {
    static Retried read(ResultSet rs) throws SQLException {
      return new Retried(rs.getLong("id"), rs.getString("queue"), rs.getInt("run_level"));
    }

    Wake wake() {
      return new Wake(queue, runLevel, null);
    }
  }

  /** enqueue.sql and find_unique.sql. */
  static Enqueued enqueued(ResultSet rs, boolean existing) throws SQLException {
    return new Enqueued(rs.getLong("id"), Rows.state(rs), existing);
  }

  /** find.sql: the whole job. */
  static Job job(ResultSet rs, JsonCodec json) throws SQLException {
    return new Job(
        rs.getLong("id"),
        rs.getString("kind"),
        rs.getString("queue"),
        Rows.state(rs),
        rs.getInt("priority"),
        rs.getInt("attempt"),
        rs.getInt("max_attempts"),
        instant(rs, "run_at"),
        instant(rs, "created_at"),
        optionalInstant(rs, "attempted_at"),
        optionalInstant(rs, "finalized_at"),
        rs.getString("args"),
        json.decodeErrors(rs.getString("errors")),
        Optional.ofNullable(rs.getString("result")),
        Optional.ofNullable(rs.getString("unique_key")),
        Optional.ofNullable(rs.getString("job_group")),
        Optional.ofNullable(rs.getString("lease_owner")),
        optionalInstant(rs, "lease_expires_at"),
        rs.getBoolean("cancel_requested"));
  }

  /** The row's {@code state} column. */
  static JobState state(ResultSet rs) throws SQLException {
    return JobState.fromSql(rs.getString("state"));
  }

  /** A timestamptz column as an instant, null when SQL NULL. */
  static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  static Optional<Instant> optionalInstant(ResultSet rs, String column) throws SQLException {
    return Optional.ofNullable(instant(rs, column));
  }
}
