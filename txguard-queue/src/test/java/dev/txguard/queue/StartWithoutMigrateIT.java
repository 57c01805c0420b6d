package dev.txguard.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.LogCapture;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, item 6: {@code start()} without {@code migrate()} used to return normally, then log a
 * stack trace every poll (1,883 lines in 3 s) naming a missing relation but not {@code migrate()}.
 */
@TxguardTest(queue = false)
class StartWithoutMigrateIT {
  @Injected static TestDatabase pg;

  record Ping(int n) {}

  static Database db;

  @BeforeAll
  static void setUp() {
    db = QueueFixture.db(pg, 6);
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  static JobQueue queue(String schema) {
    return QueueFixture.builder(pg, db, schema)
        .pollInterval(Duration.ofMillis(10))
        .handle("ping", Ping.class, job -> job.args().n())
        .queue("pings", 2)
        .build();
  }

  @Test
  void startWithoutMigrateFailsFastNamingMigrateAndTheCliCommandAndWorksOnceMigrated() {
    JobQueue queue = queue("never_migrated");

    assertThatThrownBy(queue::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("schema never_migrated is at migration version 0 of 3")
        .hasMessageContaining("V1__create_job.sql")
        .hasMessageContaining("queue.migrate()")
        .hasMessageContaining("'txguard migrate --url <server> --schema never_migrated'");

    queue.migrate();
    queue.start();
    try {
      assertThat(
              queue.call(
                  new Ping(3),
                  Integer.class,
                  EnqueueOptions.defaults().queue("pings"),
                  Duration.ofSeconds(60)))
          .isEqualTo(3);
    } finally {
      queue.stop(Duration.ofSeconds(10));
    }
  }

  @Test
  void enqueueWithoutMigrateNamesMigrate() {
    JobQueue queue = queue("enqueue_unmigrated");

    assertThatThrownBy(() -> queue.enqueue(new Ping(1), EnqueueOptions.defaults().queue("pings")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "the queue's tables are missing in schema 'enqueue_unmigrated': migrate it with"
                + " queue.migrate() or the command 'txguard migrate' before enqueueing")
        .cause()
        .isInstanceOf(dev.txguard.StatementException.class);
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx ->
                        queue.enqueueAll(
                            tx, java.util.List.of(new Ping(1)), EnqueueOptions.defaults())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("migrate it with queue.migrate()");
  }

  /**
   * Break-it review, session 16: before migrate(), find, stats, cancel and the admin's reads threw
   * the server's StatementException 42P01 with the statement's SQL, where enqueue named migrate().
   */
  @Test
  void readsCancelsAndAdminCallsWithoutMigrateNameMigrate() {
    JobQueue queue = queue("reads_unmigrated");
    QueueAdmin admin = queue.admin();
    java.util.Map<String, org.assertj.core.api.ThrowableAssert.ThrowingCallable> calls =
        new java.util.LinkedHashMap<>();
    calls.put("finding a job", () -> queue.find(1));
    calls.put("counting jobs", queue::stats);
    calls.put("cancelling a job", () -> queue.cancel(1));
    calls.put("cancelling a group", () -> queue.cancelGroup("g", Duration.ZERO));
    calls.put("reading the overview", admin::overview);
    calls.put("reading the throughput", () -> admin.throughput(Duration.ofMinutes(1)));
    calls.put("listing the processes", admin::processes);
    calls.put("listing the schedules", admin::schedules);
    calls.put("listing jobs", () -> admin.list(JobFilter.all()));
    calls.put("finding a job ", () -> admin.find(1)); // the same call as queue.find
    calls.put("reading a job", () -> admin.detail(1, 100));
    calls.put("retrying jobs", () -> admin.retry(java.util.List.of(1L)));
    calls.put("cancelling a job  ", () -> admin.cancel(java.util.List.of(1L))); // as cancel
    calls.put("cancelling a group ", () -> admin.cancelGroup("g", Duration.ZERO));
    calls.put("pruning jobs", () -> admin.prune(Duration.ofDays(1), n -> {}));
    calls.forEach(
        (doing, call) ->
            assertThatThrownBy(call)
                .as(doing)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(
                    "the queue's tables are missing in schema 'reads_unmigrated': migrate it with"
                        + " queue.migrate() or the command 'txguard migrate' before "
                        + doing.strip())
                .cause()
                .isInstanceOf(dev.txguard.StatementException.class));
    // the migration status reads an unmigrated schema as version 0
    assertThat(admin.migrationStatus().current()).isZero();
  }

  @Test
  void loopsThatKeepFailingLogOncePerKindOfFailureNotOncePerPoll() throws Exception {
    JobQueue queue = queue("dropped_later");
    QueueFixture.start(queue);
    LogCapture capture = LogCapture.start();
    try {
      pg.execute("drop schema dropped_later cascade");
      Thread.sleep(
          3_000); // 300 polls of the two fetchers (10 ms apart), 60 maintenance rounds (50 ms)
    } finally {
      queue.stop(Duration.ofSeconds(10));
    }
    String log = capture.stop();
    long failureLines = log.lines().filter(l -> l.contains(" failed (")).count();
    System.out.println(
        "loop failures logged in 3 s after the schema was dropped: "
            + failureLines
            + " lines, "
            + log.lines().count()
            + " lines in all");
    // one per fetcher (levels 0 and 1) and one for maintenance, each of one kind (a round caught by
    // the drop itself may fail differently once); polling 10 ms apart used to log hundreds
    assertThat(failureLines)
        .as("loop failures logged (the log, %s characters, is in %s)", log.length(), capture)
        .isBetween(1L, 6L);
    assertThat(log)
        .contains(
            "claiming jobs of queue 'pings' at level 0 failed (dev.txguard.StatementException,"
                + " SQLSTATE 42P01)")
        .contains("migrate the schema with queue.migrate() or the command 'txguard migrate'");
  }
}
