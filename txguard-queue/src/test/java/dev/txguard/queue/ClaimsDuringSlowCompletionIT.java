package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A plain handler's completion that waits for its batch does not hold the fetcher's room to claim:
 * while one completion batch is stuck (its row locked by the test), the queue's two slots go on
 * starting jobs, and their completions wait for the next batch. Before, a claimed job counted
 * against the queue's concurrency until its completion committed, so two completions waiting for
 * one slow batch stopped the queue. When the lock goes, every job completes exactly once.
 */
@TxguardTest(queue = false)
class ClaimsDuringSlowCompletionIT {
  @Injected static TestDatabase pg;

  record Slow(String name) {}

  record Quick(int n) {}

  static final String SCHEMA = "slowcompletion";

  static final CountDownLatch slowStarted = new CountDownLatch(1);
  static final CountDownLatch slowMayReturn = new CountDownLatch(1);
  static final AtomicInteger quickRan = new AtomicInteger();

  static Database db;
  static JobQueue queue;

  @BeforeAll
  static void setUp() {
    db = QueueFixture.db(pg, 6);
    queue =
        QueueFixture.builder(pg, db, SCHEMA)
            .handle(
                "slow",
                Slow.class,
                job -> {
                  slowStarted.countDown();
                  if (!slowMayReturn.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never let the slow job return");
                  }
                  return "done " + job.args().name();
                })
            .handle("quick", Quick.class, job -> quickRan.incrementAndGet())
            .queue("default", 2)
            .build();
    QueueFixture.start(queue);
  }

  @AfterAll
  static void tearDown() {
    QueueFixture.stop(queue, db);
  }

  @Test
  void jobsRunWhileACompletionBatchIsStuck() throws Exception {
    long slow = queue.enqueue(new Slow("first")).id();
    assertThat(slowStarted.await(60, TimeUnit.SECONDS)).as("the slow job started").isTrue();
    try (Connection c = pg.connect()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps =
          c.prepareStatement("select id from " + SCHEMA + ".job where id = ? for update")) {
        ps.setLong(1, slow);
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).as("the slow job's row").isTrue();
        }
      }
      slowMayReturn.countDown();
      // its completion now waits for the test's row lock (in its batch, or, after the batch's lock
      // timeout, in a unit of its own: both statements set state = 'completed')
      pg.awaitLockWait("set state = 'completed'");
      List<Quick> args = IntStream.range(0, 10).mapToObj(Quick::new).toList();
      List<Long> ids = queue.enqueueAll(args, EnqueueOptions.defaults());
      QueueFixture.awaitProgress(
          "the quick jobs' handlers run through the two slots while the first completion batch"
              + " waits for the row lock",
          () -> (long) quickRan.get(),
          ids.size());
      assertThat(state(queue, slow))
          .as("the slow job, its completion blocked")
          .isEqualTo(JobState.RUNNING);
      c.rollback();
      QueueFixture.awaitProgress(
          "every job completes once the lock is gone",
          () ->
              ids.stream().filter(id -> state(queue, id) == JobState.COMPLETED).count()
                  + (state(queue, slow) == JobState.COMPLETED ? 1 : 0),
          ids.size() + 1);
    }
    assertThat(quickRan.get()).as("each quick handler ran once").isEqualTo(10);
    assertThat(queue.find(slow).orElseThrow().attempt()).as("the slow job's attempts").isEqualTo(1);
  }
}
