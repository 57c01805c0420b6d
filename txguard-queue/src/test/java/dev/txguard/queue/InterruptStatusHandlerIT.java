package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
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

/**
 * A handler that returns with its thread's interrupt status set (restored after catching
 * InterruptedException) completes on its first attempt and runs once (break-it review, session 16:
 * the completion ran on the interrupted virtual thread, the JDK closed its socket, and the job ran
 * again after each lease until it failed with "the worker stopped heartbeating").
 */
@TxguardTest(queue = false)
class InterruptStatusHandlerIT {
  @Injected static TestDatabase pg;

  record Plain(int n) {}

  record InTx(int n) {}

  static final AtomicInteger plainRuns = new AtomicInteger();
  static final AtomicInteger txRuns = new AtomicInteger();
  static Database db;
  static JobQueue queue;

  @BeforeAll
  static void setUp() throws Exception {
    pg.execute("create table interrupted_handler_writes (n int)");
    db = QueueFixture.db(pg, 6);
    queue =
        QueueFixture.builder(pg, db, "interrupt_status")
            .leaseDuration(Duration.ofSeconds(1))
            .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(10))
            .handle(
                "plain",
                Plain.class,
                job -> {
                  plainRuns.incrementAndGet();
                  Thread.currentThread().interrupt();
                  return job.args().n();
                })
            .handleInTx(
                "in-tx",
                InTx.class,
                (tx, job) -> {
                  txRuns.incrementAndGet();
                  tx.update("insert into interrupted_handler_writes values (?)", job.args().n());
                  Thread.currentThread().interrupt();
                  return job.args().n();
                })
            .queue("default", 2)
            .build();
    QueueFixture.start(queue);
  }

  @AfterAll
  static void tearDown() {
    QueueFixture.stop(queue, db);
  }

  @Test
  void plainAndTransactionalHandlersThatLeaveTheStatusSetCompleteOnce() throws Exception {
    EnqueueOptions three = EnqueueOptions.defaults().maxAttempts(3);
    long plain = queue.enqueue(new Plain(1), three).id();
    long inTx = queue.enqueue(new InTx(2), three).id();
    for (long id : new long[] {plain, inTx}) {
      await(
          "job " + id + " ended",
          () -> QueueFixture.state(queue, id).isFinal(),
          () -> queue.find(id).orElseThrow());
      Job job = queue.find(id).orElseThrow();
      assertThat(job.state()).as("job %d: %s", id, job.errors()).isEqualTo(JobState.COMPLETED);
      assertThat(job.attempt()).as("attempts of job %d", id).isEqualTo(1);
    }
    assertThat(plainRuns.get()).isEqualTo(1);
    assertThat(txRuns.get()).isEqualTo(1);
    assertThat(pg.queryLong("select count(*) from interrupted_handler_writes")).isEqualTo(1);
  }
}
