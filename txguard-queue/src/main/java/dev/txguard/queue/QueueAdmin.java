package dev.txguard.queue;

import dev.txguard.TxException;
import dev.txguard.queue.internal.Admin;
import dev.txguard.queue.internal.AdminViews;
import dev.txguard.queue.internal.Checks;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongConsumer;

/**
 * What an operator sees and does with a queue's schema: migrations, counts and stuck attempts, job
 * listings, retry, cancel and prune. The {@code txguard migrate} and {@code txguard queue ...}
 * commands are a thin layer over it. Obtained with {@link JobQueue#admin()}; works on a queue that
 * was never started (no kind needs to be registered). Thread-safe; every method runs in short units
 * of its own and holds no lock between calls.
 *
 * <pre>{@code
 * QueueAdmin admin = JobQueue.builder(db).build().admin();
 * admin.migrate();
 * for (QueueAdmin.JobSummary j : admin.list(JobFilter.all().states(JobState.FAILED)).jobs()) {
 *   admin.retry(List.of(j.id()));
 * }
 * }</pre>
 *
 * <p>Methods other than {@link #migrationStatus()} and {@link #migrate()} need the schema migrated;
 * on an unmigrated schema they throw {@link IllegalStateException} naming the schema, {@code
 * migrate()} and {@code txguard migrate}, with the server's error (SQLSTATE 42P01 or 3F000) as its
 * cause.
 */
// Longer than txguard's ~300-line rule on purpose, like Database: the operator API (about 255
// lines, most of them javadoc) and the records it returns (about 160: MigrationStatus, Overview,
// JobSummary, Page, ...) are one public API, spelled QueueAdmin.JobSummary and so on in the CLI,
// the
// dashboard and users' code; moving the records to files of their own would rename public types.
// Every method is a few lines; the work is in dev.txguard.queue.internal.Admin and AdminViews.
public final class QueueAdmin {
  /** The longest window {@link #throughput(Duration)} reads. */
  public static final Duration MAX_THROUGHPUT_WINDOW = Duration.ofDays(1);

  private final Admin admin;
  private final AdminViews views;
  private final JobQueue queue;

  QueueAdmin(Admin admin, JobQueue queue) {
    this.admin = admin;
    this.views = admin.views();
    this.queue = queue;
  }

  /** {@return the schema this admin works on} */
  public String schema() {
    return admin.schema();
  }

  /**
   * Which migrations the schema has and which it lacks, with their SQL (for a dry run). Reads only.
   *
   * @return the current and latest versions and the pending migrations
   * @throws TxException if the database cannot be read
   */
  public MigrationStatus migrationStatus() {
    return admin.migrationStatus();
  }

  /**
   * Applies the missing migrations, as {@link JobQueue#migrate()}: in one unit, serialized with
   * every other migrating process by an advisory lock, so concurrent runs apply each migration
   * once.
   *
   * @return the version before and after, read under the lock, and the versions applied
   * @throws TxException if the database refuses a migration (nothing is applied then)
   */
  public MigrationResult migrate() {
    return admin.migrate();
  }

  /**
   * Counts per queue and state, the age of each queue's oldest available job, and running attempts
   * past half their lease (up to 100, the most urgent first): attempts whose lease was last granted
   * or extended more than half its duration ago, though heartbeats extend it every third; their
   * process is probably stuck or gone, and rescue takes them back once the lease expires.
   *
   * @return the counts, ages and overdue attempts, read in one read-only unit
   * @throws IllegalStateException if the schema was never migrated (see the class description)
   */
  public Overview overview() {
    return admin.overview();
  }

  /**
   * Jobs that reached a final state per minute over the last {@code window}, by the jobs' {@code
   * finalized_at} (an index range scan). Finished jobs are deleted after the queue's retention
   * (default 1 day), so a window longer than that undercounts.
   *
   * @param window 1 minute to {@link #MAX_THROUGHPUT_WINDOW}
   * @return one entry per minute of the window, oldest first, zeros included
   * @throws IllegalArgumentException if {@code window} is null or out of range
   * @throws IllegalStateException if the schema was never migrated (see the class description)
   */
  public Throughput throughput(Duration window) {
    if (window == null
        || window.compareTo(Duration.ofMinutes(1)) < 0
        || window.compareTo(MAX_THROUGHPUT_WINDOW) > 0) {
      throw new IllegalArgumentException(
          "window must be between 1 minute and " + MAX_THROUGHPUT_WINDOW + ", was " + window);
    }
    return views.throughput(window);
  }

  /**
   * The processes working this schema: started queues (alive while their control connection is
   * open), which of them is the maintenance leader, and the leases each holds; owners of running
   * jobs' leases whose connection is gone are listed as not alive (rescue takes their jobs back
   * once the leases expire). The leader first, then by owner. Reads {@code pg_stat_activity} and
   * {@code pg_locks}; see {@link QueueProcess} for what another role sees.
   *
   * @return the processes, leader first
   * @throws IllegalStateException if the schema was never migrated (see the class description)
   */
  public List<QueueProcess> processes() {
    return views.processes();
  }

  /**
   * Every periodic schedule the schema has recorded (by any process, declared there or not), by
   * name: its definition, the latest instant handled, its latest run's job and state, and its next
   * instant, computed from the stored definition.
   *
   * @return one entry per recorded schedule, by name
   * @throws IllegalStateException if the schema was never migrated (see the class description)
   */
  public List<ScheduleStatus> schedules() {
    return views.schedules();
  }

  /**
   * One page of jobs matching {@code filter}, newest first.
   *
   * @param filter which jobs, how many, and from which id on
   * @return the jobs, and the id to pass to {@link JobFilter#before(long)} for the next page when
   *     there is one
   * @throws IllegalArgumentException if {@code filter} is null
   * @throws IllegalStateException if the schema was never migrated (see the class description)
   */
  public Page list(JobFilter filter) {
    if (filter == null) {
      throw new IllegalArgumentException("filter must not be null: pass JobFilter.all()");
    }
    return admin.list(filter);
  }

  /**
   * One job with its arguments, errors (with their stack traces) and result; as {@link
   * JobQueue#find}.
   *
   * @param id the job's id
   * @return the job, or empty if there is none with that id
   * @throws IllegalStateException if the schema was never migrated (see the class description)
   */
  public Optional<Job> find(long id) {
    return queue.find(id);
  }

  /**
   * One job for a viewer, as {@link #find(long)} but with its arguments, result and each error's
   * message and trace cut by the database to {@code limit} characters, and only its newest {@link
   * JobDetail#ERRORS_SHOWN} errors, so that a job with huge arguments or thousands of errors costs
   * at most about {@code limit} characters per text to read; the full lengths and the number of
   * errors say what was left out. One read-only unit ({@code admin_detail.sql}).
   *
   * @param id the job's id
   * @param limit the most characters kept of each text, at least 1
   * @return the job, or empty if there is none with that id
   * @throws IllegalArgumentException if {@code limit} is below 1
   * @throws IllegalStateException if the schema was never migrated (see the class description)
   */
  public Optional<JobDetail> detail(long id, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1 character, was " + limit);
    }
    return views.detail(id, limit);
  }

  /**
   * Puts failed and discarded jobs back to {@link JobState#AVAILABLE}, to run at once, with one
   * more attempt allowed when their attempts were used up; their recorded errors are kept. Jobs in
   * other states, missing ones, and jobs whose unique key another unfinished job holds now are left
   * as they are. One unit for all of them.
   *
   * @param ids the jobs, each at most once
   * @return per id, in the order given: its state now and whether this call retried it
   * @throws IllegalArgumentException if {@code ids} is null, empty or holds null
   * @throws IllegalStateException if the schema was never migrated (see the class description)
   */
  public List<Change> retry(Collection<Long> ids) {
    return admin.retry(checkIds(ids));
  }

  /**
   * Cancels jobs one by one as {@link JobQueue#cancel(long)}: jobs that have not started end {@link
   * JobState#CANCELLED}; running ones are asked to stop (changed, state still {@link
   * JobState#RUNNING}). Does not wait.
   *
   * @param ids the jobs, each at most once
   * @return per id, in the order given: its state now and whether this call cancelled it or asked
   *     it to stop
   * @throws IllegalArgumentException if {@code ids} is null, empty or holds null
   * @throws IllegalStateException if the schema was never migrated (see the class description)
   */
  public List<Change> cancel(Collection<Long> ids) {
    return admin.cancel(checkIds(ids));
  }

  /**
   * As {@link JobQueue#cancelGroup(String, Duration)}: cancels the group's jobs and waits up to
   * {@code wait} for its running ones.
   *
   * @param group the group, as given at enqueue
   * @param wait how long to wait for running attempts; zero does not wait
   * @return how many jobs were cancelled, waited for, and still running when the wait ran out
   * @throws IllegalArgumentException as {@link JobQueue#cancelGroup(String, Duration)}
   * @throws IllegalStateException if the schema was never migrated (see the class description)
   */
  public CancelResult cancelGroup(String group, Duration wait) {
    return queue.cancelGroup(group, wait);
  }

  /**
   * Deletes finished jobs (completed, failed, cancelled, discarded) that finished at least {@code
   * olderThan} ago, in units of up to 1000 jobs, so a large backlog never makes one long
   * transaction.
   *
   * @param olderThan zero or more
   * @param progress told the running total after each unit (may be a no-op)
   * @return how many jobs were deleted
   * @throws IllegalArgumentException if either is null, or {@code olderThan} is negative or longer
   *     than {@code Long.MAX_VALUE} milliseconds (about 292 million years)
   * @throws IllegalStateException if the schema was never migrated (see the class description)
   */
  public long prune(Duration olderThan, LongConsumer progress) {
    Checks.age("olderThan", olderThan);
    if (progress == null) {
      throw new IllegalArgumentException("progress must not be null: pass n -> {}");
    }
    return admin.prune(olderThan, progress);
  }

  private static List<Long> checkIds(Collection<Long> ids) {
    if (ids == null || ids.isEmpty()) {
      throw new IllegalArgumentException("ids must name at least one job, was " + ids);
    }
    if (ids.stream().anyMatch(java.util.Objects::isNull)) {
      throw new IllegalArgumentException("ids must not hold null, was " + ids);
    }
    return ids.stream().distinct().toList();
  }

  /**
   * The schema's migrations.
   *
   * @param schema the queue's schema
   * @param current the highest version applied; 0 when none is (or the schema does not exist)
   * @param latest the highest version this library ships
   * @param pending the migrations not applied yet, in order, with their SQL for this schema
   */
  public record MigrationStatus(
      String schema, int current, int latest, List<PendingMigration> pending) {
    /** Copies {@code pending}. */
    public MigrationStatus {
      pending = List.copyOf(pending);
    }
  }

  /**
   * A migration not applied yet.
   *
   * @param version its number
   * @param file its resource's file name, e.g. {@code V3__schedules_and_admin.sql}
   * @param sql its SQL with the schema filled in
   */
  public record PendingMigration(int version, String file, String sql) {}

  /**
   * What {@link #migrate()} did.
   *
   * @param schema the queue's schema
   * @param before the version found once the migration lock was held (0: none)
   * @param after the version when the unit committed
   * @param applied the versions this call applied, in order (empty when another process had)
   */
  public record MigrationResult(String schema, int before, int after, List<Integer> applied) {
    /** Copies {@code applied}. */
    public MigrationResult {
      applied = List.copyOf(applied);
    }
  }

  /**
   * The queue's state at one moment.
   *
   * @param at the database's time of the reading
   * @param queues per queue (sorted by name), its counts
   * @param overdue running attempts past half their lease, most urgent first (at most 100)
   */
  public record Overview(Instant at, List<QueueCounts> queues, List<OverdueAttempt> overdue) {
    /** Copies the lists. */
    public Overview {
      queues = List.copyOf(queues);
      overdue = List.copyOf(overdue);
    }

    /**
     * Jobs in {@code state} over all queues.
     *
     * @param state the state to count
     * @return the sum over all queues; 0 when none
     */
    public long count(JobState state) {
      return queues.stream().mapToLong(q -> q.count(state)).sum();
    }
  }

  /**
   * One queue's counts.
   *
   * @param queue its name
   * @param counts jobs per state (states without jobs are absent)
   * @param oldestAvailableAge how long the oldest available job has been waiting to be claimed
   *     (since its run-at); empty when none is available
   */
  public record QueueCounts(
      String queue, Map<JobState, Long> counts, Optional<Duration> oldestAvailableAge) {
    /** Copies {@code counts}. */
    public QueueCounts {
      counts = Map.copyOf(counts);
    }

    /**
     * Jobs in {@code state}.
     *
     * @param state the state to count
     * @return 0 when the queue has no job in it
     */
    public long count(JobState state) {
      return counts.getOrDefault(state, 0L);
    }

    /** {@return all jobs of the queue} */
    public long total() {
      return counts.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /**
   * A running attempt past half its lease.
   *
   * @param id the job
   * @param kind its kind
   * @param queue its queue
   * @param owner the process holding the lease
   * @param attempt the attempt's number
   * @param attemptedAt when the attempt started
   * @param leasedAt when its lease was last granted or extended
   * @param leaseExpiresAt when the lease expires unless extended
   */
  public record OverdueAttempt(
      long id,
      String kind,
      String queue,
      String owner,
      int attempt,
      Instant attemptedAt,
      Instant leasedAt,
      Instant leaseExpiresAt) {}

  /**
   * One job in a listing (see {@link #find(long)} for everything about it).
   *
   * @param id its id
   * @param kind its kind
   * @param queue its queue
   * @param state its state
   * @param priority its priority
   * @param attempt attempts started
   * @param maxAttempts attempts allowed
   * @param createdAt when it was enqueued
   * @param runAt when it may run (next)
   * @param finalizedAt when it reached a final state
   * @param group its group
   */
  public record JobSummary(
      long id,
      String kind,
      String queue,
      JobState state,
      int priority,
      int attempt,
      int maxAttempts,
      Instant createdAt,
      Instant runAt,
      Optional<Instant> finalizedAt,
      Optional<String> group) {}

  /**
   * A page of a listing.
   *
   * @param jobs the jobs, newest first
   * @param nextBefore what to pass to {@link JobFilter#before(long)} for the next page; empty on
   *     the last page
   */
  public record Page(List<JobSummary> jobs, OptionalLong nextBefore) {
    /** Copies {@code jobs}. */
    public Page {
      jobs = List.copyOf(jobs);
    }
  }

  /**
   * What an action did to one job.
   *
   * @param id the job
   * @param state its state after the action; empty if no such job exists
   * @param changed whether the action changed it
   * @param outcome what happened, for an operator, e.g. {@code retried (now available)}, {@code not
   *     retried: its unique key is held by another unfinished job}, {@code asked to stop
   *     (running)}, {@code not cancelled: already completed}
   */
  public record Change(long id, Optional<JobState> state, boolean changed, String outcome) {}
}
