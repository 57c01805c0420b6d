package dev.txguard.queue.internal;

import dev.txguard.queue.JobEvent;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

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

  /**
   * The attempt token in PostgreSQL's text form of a uuid (lower-case, hyphenated, as {@link
   * UUID#toString()} writes it). Kept as text, not a {@link UUID}: every statement binds it as text
   * and the completion batch compares it with the tokens its rows return as text, so a UUID would
   * be parsed once at claim and written back to text once per statement (the queue benchmark's
   * allocation profile showed about 190 bytes per job for it).
   */
  final String token;

  /** The job's group, or null. */
  final String group;

  /** Whether a caller of {@code queue.call} waits for this job. */
  final boolean awaited;

  /** The txguard level this attempt's units run at. */
  final int level;

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

  /**
   * Set by the fetcher when this attempt's slot is released: from then on it counts as finishing
   * (its end being recorded), not as claimed work waiting or running. Written and read on the
   * attempt's own thread.
   */
  boolean finishing;

  /**
   * Set by the fetcher when this attempt starts on its own thread, to run its handler (not when it
   * is skipped because its lease was lost while it waited): its slot time, from {@link
   * #startedNanos} to the release of its slot, then feeds the fetcher's mean slot time ({@link
   * ClaimAhead}). Written and read on the attempt's own thread.
   */
  boolean started;

  /** {@link System#nanoTime()} when the attempt started; meaningful once {@link #started}. */
  long startedNanos;

  /**
   * Set when cancel asked this job to stop (locally, or seen by a heartbeat): see {@link
   * #requestCancel}.
   */
  volatile boolean cancelRequested;

  /** Run once when cancel is requested: starts a prefetched attempt at once (see Fetcher). */
  private final AtomicReference<Runnable> onCancel = new AtomicReference<>();

  /**
   * Gives the attempt's slot back to its fetcher, once: when a plain handler returned (its
   * completion then waits for a batch without holding a slot), or when the attempt ended.
   */
  private final AtomicReference<Runnable> slot = new AtomicReference<>();

  Attempt(
      long id,
      String kind,
      String queue,
      String argsJson,
      int number,
      int maxAttempts,
      Instant createdAt,
      String token,
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
            Instant.EPOCH.plus(rs.getLong("created_at_us"), ChronoUnit.MICROS),
            rs.getString("lease_token"),
            rs.getString("job_group"),
            rs.getBoolean("awaited"),
            level);
    a.cancelRequested = rs.getBoolean("cancel_requested");
    return a;
  }

  /**
   * Marks the attempt's cancel as requested and runs what {@link #onCancel(Runnable)} set, if
   * anything, once.
   */
  void requestCancel() {
    cancelRequested = true;
    Runnable r = onCancel.getAndSet(null);
    if (r != null) {
      r.run();
    }
  }

  /** Sets what {@link #requestCancel} runs (null: nothing); replaces an earlier one. */
  void onCancel(Runnable action) {
    onCancel.set(action);
  }

  /** Sets what gives this attempt's slot back (see {@link #releaseSlot}). */
  void onSlotRelease(Runnable release) {
    slot.set(release);
  }

  /**
   * Gives the attempt's slot back, the first time it is called: its handler no longer runs, so the
   * fetcher may start another attempt while this one's completion commits. Later calls do nothing.
   */
  void releaseSlot() {
    Runnable release = slot.getAndSet(null);
    if (release != null) {
      release.run();
    }
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
