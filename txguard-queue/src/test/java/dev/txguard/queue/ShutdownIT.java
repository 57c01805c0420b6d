package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Graceful stop with attempts still running: a job whose cancel was requested ends cancelled (and
 * its caller hears it), an attempt whose lease could not be given back records no failure, and
 * stop() called inside a unit gives leases back in units of their own.
 */
// leakCheck off: one test leaves a job running on purpose (its lease could not be given back)
@TxguardTest(queue = false, leakCheck = false)
class ShutdownIT {
  @Injected static TestDatabase pg;

  /** Blocks until interrupted, ignoring cancel requests. */
  record Stuck(int n) {}

  static Database db;
  static ExecutorService threads;

  @BeforeAll
  static void setUp() {
    db = QueueFixture.db(pg, 8);
    threads = Executors.newVirtualThreadPerTaskExecutor();
  }

  @AfterAll
  static void tearDown() {
    threads.shutdownNow();
    db.close();
  }

  static JobQueue queue(String schema, CountDownLatch started, RecordingListener listener) {
    JobQueue q =
        QueueFixture.builder(pg, db, schema)
            .listener(listener)
            .handle(
                "stuck",
                Stuck.class,
                job -> {
                  started.countDown();
                  new CountDownLatch(1).await(); // until stop() interrupts it
                  return null;
                })
            .queue("default", 2)
            .build();
    q.migrate();
    return q;
  }

  @Test
  void aJobWhoseCancelWasRequestedEndsCancelledAtShutdownAndItsCallerHearsIt() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    JobQueue q = queue("stop_cancel", started, new RecordingListener());
    q.start();
    try (Connection listen = pg.connect();
        Statement st = listen.createStatement()) {
      st.execute("listen stop_cancel_done");
      Future<Object> call = threads.submit(() -> q.call(new Stuck(1), Duration.ofSeconds(60)));
      assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
      long id = pg.queryLong("select id from stop_cancel.job");
      assertThat(q.cancel(id)).isTrue(); // the handler ignores the request and goes on

      assertThat(q.stop(Duration.ZERO)).isFalse();

      Job job = q.find(id).orElseThrow();
      assertThat(job.state()).isEqualTo(JobState.CANCELLED);
      assertThat(job.attempt()).isEqualTo(1);
      assertThat(job.errors())
          .singleElement()
          .extracting(JobError::error)
          .asString()
          .contains("cancel was requested and the attempt was stopped");
      assertThatThrownBy(() -> call.get(60, TimeUnit.SECONDS))
          .hasCauseInstanceOf(JobFailedException.class)
          .hasMessageContaining("job " + id + " ended cancelled");
      // every process's waiting callers hear it: NOTIFY <schema>_done, id
      PGNotification[] heard = listen.unwrap(PGConnection.class).getNotifications(60_000);
      assertThat(heard).extracting(PGNotification::getParameter).contains(Long.toString(id));
    }
  }

  @Test
  void anAttemptWhoseLeaseCouldNotBeGivenBackRecordsNoFailure() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    RecordingListener events = new RecordingListener();
    JobQueue q = queue("stop_fail", started, events);
    // the give-up statement fails (it is the only one that lowers the attempt number)
    pg.execute(
        "create function stop_fail.no_give_up() returns trigger language plpgsql as $$"
            + " begin if new.attempt < old.attempt then raise exception 'give-up refused by the test'; end if;"
            + " return new; end $$",
        "create trigger no_give_up before update on stop_fail.job for each row"
            + " execute function stop_fail.no_give_up()");
    q.start();
    long id = q.enqueue(new Stuck(2)).id();
    assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();

    assertThat(q.stop(Duration.ZERO)).isFalse();

    // the interrupted handler's InterruptedException is not a failure of the job
    await(
        "the interrupted attempt ended",
        () ->
            events.events.stream()
                .anyMatch(
                    e ->
                        e.equals("lease lost " + id + "#1")
                            || e.startsWith("retried " + id)
                            || e.startsWith("failed " + id)));
    assertThat(events.events)
        .contains("lease lost " + id + "#1")
        .noneMatch(e -> e.startsWith("retried "));
    Job job = q.find(id).orElseThrow();
    assertThat(job.state())
        .isEqualTo(JobState.RUNNING); // until its lease expires and rescue decides
    assertThat(job.errors()).isEmpty();
  }

  @Test
  void stopInsideAUnitGivesLeasesBackInUnitsOfTheirOwn() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    JobQueue q = queue("stop_in_unit", started, new RecordingListener());
    q.start();
    long id = q.enqueue(new Stuck(3)).id();
    assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
    db.useTx(
        tx -> {
          tx.update("create table stop_in_unit.marker (n int)");
          assertThat(q.stop(Duration.ZERO)).isFalse();
          // committed already, while the caller's unit is still open
          assertThat(
                  pg.queryLong(
                      "select count(*) from stop_in_unit.job where id = "
                          + id
                          + " and state = 'available'"))
              .isEqualTo(1);
        });
  }
}
