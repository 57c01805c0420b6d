package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.Database;
import dev.txguard.StatementException;
import dev.txguard.queue.MaintenanceIT.MovableClock;
import dev.txguard.queue.QueueAdmin.Change;
import dev.txguard.queue.QueueAdmin.Page;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@link QueueAdmin}: migrations, overview, listing, retry, cancel and prune against a real queue.
 */
@TxguardTest(queue = false)
class AdminIT {
  @Injected static TestDatabase pg;

  record Work(int n) {}

  record Hold(int n) {}

  static final List<Database> dbs = new CopyOnWriteArrayList<>();
  static final List<JobQueue> queues = new CopyOnWriteArrayList<>();

  @AfterAll
  static void tearDown() {
    queues.forEach(q -> q.stop(Duration.ofSeconds(5)));
    dbs.forEach(Database::close);
  }

  static JobQueue.Builder builder(String schema) {
    Database db = QueueFixture.db(pg, 8);
    dbs.add(db);
    return QueueFixture.builder(pg, db, schema).declare("work", Work.class);
  }

  static JobQueue declared(String schema, MovableClock clock) {
    JobQueue q = builder(schema).clock(clock).build();
    queues.add(q);
    return q;
  }

  @Test
  void cancelGroupDoesNotReportAJobOfADeadWorkerAsEnded() throws Exception {
    // regression: the group's lock was free (no attempt executes), so the job counted as ended,
    // while its row still said running until rescue
    QueueAdmin admin = declared("orphans", new MovableClock()).admin();
    admin.migrate();
    pg.execute(
        "insert into orphans.job (kind, queue, args, state, attempt, max_attempts, run_at, created_at,"
            + " attempted_at, leased_at, lease_owner, lease_token, lease_expires_at, job_group) values ('work',"
            + " 'default', '{\"n\":1}', 'running', 1, 5, now(), now(), now(), now(), 'gone-host/1/x', gen_random_uuid(),"
            + " now() + interval '10 minutes', 'g1')");

    CancelResult result = admin.cancelGroup("g1", Duration.ofMillis(500));

    assertThat(result.waitedFor()).isZero();
    assertThat(result.stillRunning()).isEqualTo(1);
    assertThat(result.allStopped()).isFalse();
    // what rescue would do once the lease expires: the job ends cancelled (no running job is left
    // behind)
    pg.execute(
        "update orphans.job set state = 'cancelled', finalized_at = now(), lease_owner = null, lease_token = null,"
            + " lease_expires_at = null where job_group = 'g1'");
  }

  /**
   * Break-it review, session 17: an application's role without CREATE on the database (PostgreSQL
   * grants it to no one by default) could not call migrate() on a schema already up to date:
   * "create schema if not exists" failed with SQLSTATE 42501 before seeing that the schema exists,
   * so the application's startup failed.
   */
  @Test
  void migrateOfAnUpToDateSchemaNeedsNoCreatePrivilege() throws Exception {
    declared("no_create", new MovableClock()).admin().migrate();
    String role = "txguard_admin_no_create";
    pg.execute(
        "do $$ begin if not exists (select from pg_roles where rolname = '"
            + role
            + "') then create role "
            + role
            + " login password 'app'; end if; end $$",
        "revoke create on database " + pg.name() + " from " + role,
        "grant usage on schema no_create to " + role,
        "grant select on all tables in schema no_create to " + role);
    try (Database app =
        Database.builder().url(pg.url()).user(role).password("app").poolSize(2).build()) {
      JobQueue queue = JobQueue.builder(app).schema("no_create").build();
      assertThat(queue.migrate()).as("versions applied").isEmpty();
      assertThat(queue.admin().migrate())
          .isEqualTo(new QueueAdmin.MigrationResult("no_create", 3, 3, List.of()));
    }
  }

  @Test
  void migrationStatusAndMigrateReportVersions() {
    QueueAdmin admin = declared("versions", new MovableClock()).admin();

    QueueAdmin.MigrationStatus before = admin.migrationStatus();
    QueueAdmin.MigrationResult result = admin.migrate();
    QueueAdmin.MigrationResult again = admin.migrate();

    assertThat(before.current()).isZero();
    assertThat(before.latest()).isEqualTo(3);
    assertThat(before.pending())
        .extracting(QueueAdmin.PendingMigration::file)
        .containsExactly(
            "V1__create_job.sql", "V2__call_and_cancel.sql", "V3__schedules_and_admin.sql");
    assertThat(before.pending().get(0).sql())
        .contains("create table versions.job (")
        .doesNotContain("${schema}");
    assertThat(result)
        .isEqualTo(new QueueAdmin.MigrationResult("versions", 0, 3, List.of(1, 2, 3)));
    assertThat(again).isEqualTo(new QueueAdmin.MigrationResult("versions", 3, 3, List.of()));
    assertThat(admin.migrationStatus().pending()).isEmpty();
  }

  @Test
  void anUnmigratedSchemaNamesMigrateWithTheStatementErrorAsCause() {
    QueueAdmin admin = declared("nowhere", new MovableClock()).admin();

    assertThatThrownBy(admin::overview)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("schema 'nowhere': migrate it with queue.migrate()")
        .cause()
        .isInstanceOf(StatementException.class)
        .satisfies(e -> assertThat(((StatementException) e).sqlState()).isEqualTo("42P01"));
  }

  @Test
  void overviewCountsAgesAndAttemptsPastHalfTheirLease() throws Exception {
    MovableClock clock = new MovableClock();
    CountDownLatch release = new CountDownLatch(1);
    JobQueue q =
        builder("overview")
            .clock(clock)
            .leaseDuration(Duration.ofDays(1))
            .handle(
                "hold",
                Hold.class,
                job -> {
                  release.await();
                  return null;
                })
            .queue("holding", 1)
            .build();
    queues.add(q);
    q.migrate();
    q.enqueue(new Work(1), EnqueueOptions.defaults().queue("waiting"));
    clock.advance(Duration.ofMinutes(3));
    q.enqueue(new Work(2), EnqueueOptions.defaults().queue("waiting"));
    long held = q.enqueue(new Hold(1), EnqueueOptions.defaults().queue("holding")).id();
    q.start();
    try {
      await("the held job runs", () -> QueueFixture.state(q, held) == JobState.RUNNING);
      QueueAdmin.Overview fresh = q.admin().overview();
      clock.advance(Duration.ofHours(13)); // over half of the one-day lease since the claim
      QueueAdmin.Overview late = q.admin().overview();

      assertThat(fresh.at()).isEqualTo(clock.instant().minus(Duration.ofHours(13)));
      QueueAdmin.QueueCounts waiting =
          fresh.queues().stream()
              .filter(c -> c.queue().equals("waiting"))
              .findFirst()
              .orElseThrow();
      assertThat(waiting.count(JobState.AVAILABLE)).isEqualTo(2);
      assertThat(waiting.oldestAvailableAge()).hasValue(Duration.ofMinutes(3));
      assertThat(
              fresh.queues().stream()
                  .filter(c -> c.queue().equals("holding"))
                  .findFirst()
                  .orElseThrow()
                  .oldestAvailableAge())
          .isEmpty();
      assertThat(fresh.count(JobState.RUNNING)).isEqualTo(1);
      assertThat(fresh.overdue()).isEmpty();
      assertThat(late.overdue())
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.id()).isEqualTo(held);
                assertThat(a.queue()).isEqualTo("holding");
                assertThat(a.attempt()).isEqualTo(1);
                assertThat(a.leasedAt()).isEqualTo(fresh.at());
                assertThat(a.leaseExpiresAt()).isEqualTo(fresh.at().plus(Duration.ofDays(1)));
              });
    } finally {
      release.countDown();
    }
  }

  @Test
  void listFiltersAndPagesThroughEveryJobOnce() {
    MovableClock clock = new MovableClock();
    JobQueue q = declared("listing", clock);
    q.migrate();
    List<Long> all = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      all.add(
          q.enqueue(
                  new Work(i),
                  EnqueueOptions.defaults()
                      .queue(i % 2 == 0 ? "even" : "odd")
                      .group(i < 3 ? "first" : "rest"))
              .id());
      clock.advance(Duration.ofMinutes(10));
    }
    QueueAdmin admin = q.admin();

    List<Long> paged = new ArrayList<>();
    JobFilter filter = JobFilter.all().limit(3);
    for (int pages = 0; pages < 10; pages++) {
      Page page = admin.list(filter);
      page.jobs().forEach(j -> paged.add(j.id()));
      if (page.nextBefore().isEmpty()) {
        break;
      }
      filter = filter.before(page.nextBefore().getAsLong());
    }
    assertThat(paged).containsExactlyElementsOf(all.reversed());
    assertThat(admin.list(JobFilter.all().queues("even")).jobs())
        .hasSize(4)
        .allMatch(j -> j.queue().equals("even"));
    assertThat(admin.list(JobFilter.all().group("first")).jobs())
        .extracting(QueueAdmin.JobSummary::id)
        .containsExactlyElementsOf(all.subList(0, 3).reversed());
    // now is 70 minutes after the first enqueue: jobs 0..2 are at least 50 minutes old
    assertThat(admin.list(JobFilter.all().olderThan(Duration.ofMinutes(50))).jobs())
        .extracting(QueueAdmin.JobSummary::id)
        .containsExactlyElementsOf(all.subList(0, 3).reversed());
    assertThat(admin.list(JobFilter.all().newerThan(Duration.ofMinutes(20))).jobs()).hasSize(2);
    assertThat(admin.list(JobFilter.all().states(JobState.FAILED)).jobs()).isEmpty();
    assertThat(admin.list(JobFilter.all().kinds("work").limit(1)).nextBefore())
        .hasValue(all.get(6));
  }

  @Test
  void retryCancelAndPruneSayWhatTheyDidPerJob() throws Exception {
    MovableClock clock = new MovableClock();
    JobQueue q = declared("acting", clock);
    q.migrate();
    long failed = q.enqueue(new Work(1), EnqueueOptions.defaults().uniqueKey("k1")).id();
    long discarded = q.enqueue(new Work(2)).id();
    long blocked = q.enqueue(new Work(3), EnqueueOptions.defaults().uniqueKey("k3")).id();
    long waiting = q.enqueue(new Work(4)).id();
    pg.execute(
        "update acting.job set state = 'failed', attempt = max_attempts, finalized_at = '2030-01-01Z'"
            + " where id in ("
            + failed
            + ", "
            + blocked
            + ")");
    pg.execute(
        "update acting.job set state = 'discarded', attempt = 1, finalized_at = '2030-01-01Z' where id = "
            + discarded);
    long holder =
        q.enqueue(new Work(5), EnqueueOptions.defaults().uniqueKey("k3"))
            .id(); // takes k3 meanwhile
    QueueAdmin admin = q.admin();

    List<Change> retried = admin.retry(List.of(failed, discarded, blocked, waiting, 999_999L));

    assertThat(retried)
        .containsExactly(
            new Change(failed, Optional.of(JobState.AVAILABLE), true, "retried (now available)"),
            new Change(discarded, Optional.of(JobState.AVAILABLE), true, "retried (now available)"),
            new Change(
                blocked,
                Optional.of(JobState.FAILED),
                false,
                "not retried: its unique key is held by another unfinished job"),
            new Change(
                waiting,
                Optional.of(JobState.AVAILABLE),
                false,
                "not retried: available (only failed or discarded jobs are retried)"),
            new Change(999_999L, Optional.empty(), false, "not retried: no such job"));
    assertThat(q.find(failed).orElseThrow().maxAttempts()).isEqualTo(21);
    assertThat(q.find(discarded).orElseThrow().maxAttempts()).isEqualTo(20);
    assertThat(q.find(failed).orElseThrow().finalizedAt()).isEmpty();

    assertThat(admin.cancel(List.of(waiting, holder, waiting)))
        .containsExactly(
            new Change(waiting, Optional.of(JobState.CANCELLED), true, "cancelled"),
            new Change(holder, Optional.of(JobState.CANCELLED), true, "cancelled"));
    assertThat(admin.cancel(List.of(waiting, 999_999L)))
        .containsExactly(
            new Change(
                waiting,
                Optional.of(JobState.CANCELLED),
                false,
                "not cancelled: already cancelled"),
            new Change(999_999L, Optional.empty(), false, "not cancelled: no such job"));

    clock.advance(Duration.ofDays(2));
    List<Long> progress = new ArrayList<>();
    assertThat(admin.prune(Duration.ofDays(3), progress::add)).isZero();
    assertThat(admin.prune(Duration.ofDays(1), progress::add))
        .isEqualTo(3); // blocked, waiting, holder
    assertThat(progress).containsExactly(0L, 3L);
    assertThat(q.find(blocked)).isEmpty();
    assertThat(q.find(failed)).isPresent();

    assertThatThrownBy(() -> admin.retry(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ids must name at least one job, was []");
    assertThatThrownBy(() -> admin.prune(Duration.ofSeconds(-1), n -> {}))
        .hasMessage("olderThan must be zero or positive, was PT-1S");
    assertThatThrownBy(() -> admin.list(null))
        .hasMessage("filter must not be null: pass JobFilter.all()");
  }
}
