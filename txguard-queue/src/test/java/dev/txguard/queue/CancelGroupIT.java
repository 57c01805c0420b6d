package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Story 4: cancelling a bulk import waits for the imports already running (shared/exclusive
 * advisory locks), and the imports that had not started never run.
 */
@TxguardTest(queue = false)
class CancelGroupIT {
  @Injected static TestDatabase pg;

  /**
   * An import that works in steps until asked to stop, then takes {@code cleanupMs} to clean up.
   */
  record Import(String batch, int n, int cleanupMs, boolean ignoresCancel) {}

  static Database db;
  static JobQueue queue;

  @BeforeAll
  static void setUp() throws Exception {
    pg.execute(
        "create table import_log (batch text, n int, started_at timestamptz not null,"
            + " ended_at timestamptz)");
    db = QueueFixture.db(pg, 10);
    queue =
        QueueFixture.builder(pg, db, "imports")
            .handle(
                "import",
                Import.class,
                job -> {
                  Import i = job.args();
                  db.useTx(
                      tx ->
                          tx.update(
                              "insert into import_log values (?, ?, clock_timestamp(), null)",
                              i.batch(),
                              i.n()));
                  long until =
                      System.nanoTime() + Duration.ofSeconds(i.ignoresCancel() ? 3 : 60).toNanos();
                  while (System.nanoTime() < until
                      && (i.ignoresCancel() || !job.isCancelRequested())) {
                    Thread.sleep(20);
                  }
                  Thread.sleep(i.cleanupMs());
                  db.useTx(
                      tx ->
                          tx.update(
                              "update import_log set ended_at = clock_timestamp() where batch = ? and n = ?",
                              i.batch(),
                              i.n()));
                  throw new IllegalStateException(
                      "import " + i.n() + " of " + i.batch() + " stopped by cancel");
                })
            .queue("default", 3)
            .build();
    QueueFixture.start(queue);
  }

  @AfterAll
  static void tearDown() {
    QueueFixture.stop(queue, db);
  }

  static void enqueue(String batch, int jobs, int cleanupMs, boolean ignoresCancel) {
    for (int n = 0; n < jobs; n++) {
      queue.enqueue(
          new Import(batch, n, cleanupMs, ignoresCancel), EnqueueOptions.defaults().group(batch));
    }
  }

  @Test
  void cancelGroupReturnsAfterTheRunningImportsEndedAndThePendingOnesNeverRan() throws Exception {
    enqueue("batch-1", 10, 300, false);
    await(
        "three imports running",
        () -> pg.queryLong("select count(*) from import_log where batch = 'batch-1'") == 3);

    OffsetDateTime called = dbNow();
    CancelResult result = queue.cancelGroup("batch-1", Duration.ofSeconds(30));
    OffsetDateTime returned = dbNow();

    assertThat(result).isEqualTo(new CancelResult(7, 3, 0));
    assertThat(result.allStopped()).isTrue();
    List<OffsetDateTime> ends =
        db.inTx(
            tx ->
                tx.query(
                    "select ended_at from import_log where batch = 'batch-1'",
                    rs -> rs.getObject(1, OffsetDateTime.class)));
    assertThat(ends)
        .hasSize(3)
        .allSatisfy(end -> assertThat(end).isAfter(called).isBefore(returned));
    System.out.printf(
        "story 4: cancelGroup called at %s, running imports ended at %s, returned at %s%n",
        called, ends, returned);
    // the pending imports never ran, and every job of the group ended cancelled
    assertThat(pg.queryLong("select count(*) from import_log where batch = 'batch-1'"))
        .isEqualTo(3);
    await(
        "running attempts recorded as cancelled",
        () ->
            pg.queryLong(
                    "select count(*) from imports.job where job_group = 'batch-1' and state = 'cancelled'")
                == 10);
    assertThat(
            pg.queryLong(
                "select count(*) from imports.job where job_group = 'batch-1' and attempt > 0"))
        .isEqualTo(3);
  }

  @Test
  void aWaitThatRunsOutReportsTheImportsStillRunning() throws Exception {
    enqueue("batch-2", 1, 0, true);
    await(
        "the import running",
        () -> pg.queryLong("select count(*) from import_log where batch = 'batch-2'") == 1);
    CancelResult result = queue.cancelGroup("batch-2", Duration.ofMillis(200));
    assertThat(result).isEqualTo(new CancelResult(0, 0, 1));
    assertThat(result.allStopped()).isFalse();
    // once it gives up, it ends cancelled rather than retried
    await(
        "the import ended cancelled",
        () ->
            pg.queryLong(
                    "select count(*) from imports.job where job_group = 'batch-2' and state = 'cancelled'")
                == 1);
    assertThat(queue.cancelGroup("batch-2", Duration.ZERO)).isEqualTo(new CancelResult(0, 0, 0));
    assertThatThrownBy(() -> queue.cancelGroup(" ", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("group must not be blank, was \" \"");
    assertThatThrownBy(() -> queue.cancelGroup("g", Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("wait of cancelGroup('g') must be zero or positive, was PT-1S");
  }

  @Test
  void cancelOfAJobThatHasNotStartedMeansItNeverRuns() throws Exception {
    long id =
        queue
            .enqueue(
                new Import("batch-3", 0, 0, false),
                EnqueueOptions.defaults().runAt(java.time.Instant.now().plusSeconds(3600)))
            .id();
    assertThat(queue.cancel(id)).isTrue();
    assertThat(QueueFixture.state(queue, id)).isEqualTo(JobState.CANCELLED);
    assertThat(queue.cancel(id)).isFalse();
  }

  static OffsetDateTime dbNow() {
    return db.inTx(
        tx ->
            tx.queryOne("select clock_timestamp()", rs -> rs.getObject(1, OffsetDateTime.class))
                .orElseThrow());
  }
}
