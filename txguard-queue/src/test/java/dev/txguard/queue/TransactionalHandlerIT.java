package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static dev.txguard.queue.QueueFixture.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A transactional handler's writes and the job's completion commit together or not at all. */
@TxguardTest(queue = false)
class TransactionalHandlerIT {
  @Injected static TestDatabase pg;

  record Ship(int order) {}

  record Flaky(int order) {}

  record Doomed(int order) {}

  record Bad(int order) {}

  static Database db;
  static JobQueue queue;
  static final RecordingListener listener = new RecordingListener();
  static final AtomicInteger shipAttempts = new AtomicInteger();

  @BeforeAll
  static void setUp() throws Exception {
    pg.execute("create table shipment (order_id int not null, attempt int not null)");
    db = QueueFixture.db(pg, 8);
    queue =
        QueueFixture.builder(pg, db, "txh")
            .listener(listener)
            .handleInTx(
                "ship",
                Ship.class,
                (tx, job) -> {
                  tx.update(
                      "insert into shipment values (?, ?)", job.args().order(), job.attempt());
                  if (shipAttempts.incrementAndGet() == 1) {
                    throw new IllegalStateException(
                        "carrier API timed out after the shipment row was written");
                  }
                  return "shipped in attempt " + job.attempt();
                })
            .handleInTx(
                "flaky",
                Flaky.class,
                (tx, job) -> {
                  tx.update(
                      "insert into shipment values (?, ?)", job.args().order(), job.attempt());
                  throw new IllegalStateException("always fails, attempt " + job.attempt());
                })
            .handleInTx(
                "doomed",
                Doomed.class,
                (tx, job) -> {
                  throw new NonRetryableJobException(
                      "order " + job.args().order() + " does not exist");
                })
            .handle(
                "bad",
                Bad.class,
                job -> {
                  throw new AssertionError(
                      "an Error from a plain handler is recorded and retried like any failure");
                })
            .queue("default", 4)
            .build();
    QueueFixture.start(queue);
  }

  @AfterAll
  static void tearDown() {
    queue.stop(Duration.ofSeconds(5));
    db.close();
  }

  @Test
  void aHandlerThatThrowsAfterWritingLeavesNeitherAndTheRetryCommitsBoth() throws Exception {
    long id = queue.enqueue(new Ship(42)).id();
    await("job completes", () -> state(queue, id) == JobState.COMPLETED);
    // the first attempt's row was rolled back with it; only the retry's row is there
    assertThat(pg.queryLong("select count(*) from shipment where order_id = 42")).isEqualTo(1);
    assertThat(pg.queryLong("select attempt from shipment where order_id = 42")).isEqualTo(2);
    Job job = queue.find(id).orElseThrow();
    assertThat(job.attempt()).isEqualTo(2);
    assertThat(job.resultJson()).contains("\"shipped in attempt 2\"");
    assertThat(job.errors())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.attempt()).isEqualTo(1);
              assertThat(e.error())
                  .contains("IllegalStateException")
                  .contains("carrier API timed out");
              assertThat(e.trace()).contains("TransactionalHandlerIT");
            });
    assertThat(listener.events).contains("retried " + id + "#1", "completed " + id + "#2");
  }

  @Test
  void attemptsExhaustedEndAsFailedWithEveryErrorRecordedAndNoWrite() throws Exception {
    long id = queue.enqueue(new Flaky(7), EnqueueOptions.defaults().maxAttempts(3)).id();
    await("job fails", () -> state(queue, id) == JobState.FAILED);
    Job job = queue.find(id).orElseThrow();
    assertThat(job.attempt()).isEqualTo(3);
    assertThat(job.finalizedAt()).isPresent();
    assertThat(job.errors()).extracting(JobError::attempt).containsExactly(1, 2, 3);
    assertThat(job.errors().get(2).error()).contains("always fails, attempt 3");
    assertThat(pg.queryLong("select count(*) from shipment where order_id = 7")).isZero();
    assertThat(listener.events).contains("failed " + id + "#3 FAILED");
  }

  @Test
  void aNonRetryableErrorDiscardsTheJobAtOnce() throws Exception {
    long id = queue.enqueue(new Doomed(5)).id();
    await("job discarded", () -> state(queue, id) == JobState.DISCARDED);
    Job job = queue.find(id).orElseThrow();
    assertThat(job.attempt()).isEqualTo(1);
    assertThat(job.errors())
        .singleElement()
        .extracting(JobError::error)
        .asString()
        .contains("NonRetryableJobException")
        .contains("order 5 does not exist");
  }

  @Test
  void aPlainHandlerThrowingAnErrorIsRetriedAndFinallyFails() throws Exception {
    long id = queue.enqueue(new Bad(1), EnqueueOptions.defaults().maxAttempts(2)).id();
    await("job fails", () -> state(queue, id) == JobState.FAILED);
    assertThat(queue.find(id).orElseThrow().errors()).hasSize(2);
  }
}
