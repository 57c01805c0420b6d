package dev.txguard.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A call whose unique key matches an unfinished job waits for that job like for its own: the job is
 * marked awaited (its end is announced) and, unless already running, moved up to the caller's run
 * level, so that its next attempt does not need the pool the caller holds.
 */
// leakCheck off: a test stages a job as running on another worker on purpose
@TxguardTest(queue = false, leakCheck = false)
class CallUniqueKeyIT {
  @Injected static TestDatabase pg;

  record Price(int n) {}

  static Database db;

  @AfterAll
  static void tearDown() {
    if (db != null) {
      db.close();
    }
  }

  @Test
  void aCallMatchingAnUnfinishedJobsUniqueKeyAwaitsItAndMovesItUpIfItHasNotStarted()
      throws Exception {
    db = QueueFixture.db(pg, 4);
    JobQueue queue = JobQueue.builder(db).schema("marks").declare("price", Price.class).build();
    queue.migrate();
    long retryable =
        queue.enqueue(new Price(1), EnqueueOptions.defaults().uniqueKey("order-1")).id();
    long running = queue.enqueue(new Price(2), EnqueueOptions.defaults().uniqueKey("order-2")).id();
    pg.execute(
        "update marks.job set state = 'retryable', attempt = 1, run_at = now() + interval '1 hour'"
            + " where id = "
            + retryable,
        "update marks.job set state = 'running', attempt = 1, lease_owner = 'w', lease_token = gen_random_uuid(),"
            + " lease_expires_at = now() + interval '1 hour' where id = "
            + running);

    for (String key : List.of("order-1", "order-2")) {
      // nobody works the queue: the call times out, naming the existing job it waited for
      db.useTx(
          tx ->
              assertThatThrownBy(
                      () ->
                          queue.call(
                              new Price(9),
                              Object.class,
                              EnqueueOptions.defaults().uniqueKey(key),
                              Duration.ofMillis(300)))
                  .isInstanceOfSatisfying(
                      CallTimeoutException.class,
                      e ->
                          assertThat(e.jobId())
                              .isEqualTo(key.equals("order-1") ? retryable : running)));
    }
    // the retryable job is awaited and will run one level above its caller; the running attempt
    // keeps its level, but its end is announced
    assertThat(
            pg.queryLong(
                "select count(*) from marks.job where id = "
                    + retryable
                    + " and awaited"
                    + " and run_level = 1"))
        .isEqualTo(1);
    assertThat(
            pg.queryLong(
                "select count(*) from marks.job where id = "
                    + running
                    + " and awaited"
                    + " and run_level = 0"))
        .isEqualTo(1);
  }
}
