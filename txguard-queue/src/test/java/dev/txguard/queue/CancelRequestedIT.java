package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.queue.QueueAdmin.Change;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Newcomer review, session 17: a running job asked to stop showed plainly "running" in find(), the
 * admin's detail (the CLI's show, the dashboard's job page), and "completed" with no trace of the
 * cancel once its handler finished anyway. The request is now part of the job.
 */
@TxguardTest(queue = false)
class CancelRequestedIT {
  @Injected static TestDatabase pg;

  record Stubborn(int n) {}

  static final CountDownLatch started = new CountDownLatch(1);
  static final CountDownLatch release = new CountDownLatch(1);
  static Database db;
  static JobQueue queue;

  @BeforeAll
  static void setUp() {
    db = QueueFixture.db(pg, 6);
    queue =
        QueueFixture.builder(pg, db, "cancel_requested")
            .handle(
                "stubborn",
                Stubborn.class,
                job -> {
                  started.countDown();
                  // ignores the request: finishes when the test says so
                  return release.await(60, TimeUnit.SECONDS) ? "finished anyway" : "timed out";
                })
            .queue("default", 1)
            .build();
    queue.migrate();
    QueueFixture.start(queue);
  }

  @AfterAll
  static void tearDown() {
    release.countDown();
    QueueFixture.stop(queue, db);
  }

  @Test
  void aRunningJobAskedToStopShowsTheRequestUntilAndAfterItEnds() throws Exception {
    long id = queue.enqueue(new Stubborn(1)).id();
    assertThat(started.await(60, TimeUnit.SECONDS)).as("the handler started").isTrue();
    assertThat(queue.find(id).orElseThrow().cancelRequested()).isFalse();

    assertThat(queue.admin().cancel(List.of(id)))
        .containsExactly(
            new Change(id, Optional.of(JobState.RUNNING), true, "asked to stop (running)"));
    Job running = queue.find(id).orElseThrow();
    assertThat(running.state()).isEqualTo(JobState.RUNNING);
    assertThat(running.cancelRequested()).isTrue();
    assertThat(queue.admin().detail(id, 100).orElseThrow().job().cancelRequested()).isTrue();

    release.countDown();
    await("the handler finished", () -> QueueFixture.state(queue, id).isFinal());
    Job ended = queue.find(id).orElseThrow();
    assertThat(ended.state()).isEqualTo(JobState.COMPLETED);
    assertThat(ended.cancelRequested()).as("the trace of the operator's cancel").isTrue();
  }
}
