package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static dev.txguard.queue.QueueFixture.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * With one connection per pool, the queue's housekeeping (heartbeats, rescue, promotion) never
 * waits for a connection its jobs or their waiting callers hold.
 */
@TxguardTest(queue = false)
class PoolStarvationIT {
  @Injected static TestDatabase pg;

  record Price(int n) {}

  record Hold(int n) {}

  static final List<AutoCloseable> closing = new ArrayList<>();

  @AfterAll
  static void tearDown() throws Exception {
    for (AutoCloseable c : closing.reversed()) {
      c.close();
    }
  }

  /** One connection in the level-0 pool and one in every level above. */
  static Database poolOfOne() {
    Database db =
        Database.builder()
            .url(pg.url())
            .user(pg.user())
            .password(pg.password())
            .poolSize(1)
            .levelPoolSize(1)
            .connectionTimeout(Duration.ofSeconds(60))
            .build();
    closing.add(db);
    return db;
  }

  @Test
  void aCallersScheduledJobIsPromotedWhileTheCallerHoldsTheOnlyLevelZeroConnection()
      throws Exception {
    Database db = poolOfOne();
    JobQueue queue =
        QueueFixture.builder(pg, db, "promote_one")
            .handleInTx("price", Price.class, (tx, job) -> job.args().n() * 2)
            .queue("default", 2)
            .build();
    closing.add(queue);
    queue.migrate();
    queue.start();
    await("this process leads", queue::isLeader);
    int price =
        db.inTx(
            tx -> {
              tx.queryOne("select 1", rs -> rs.getInt(1)); // the unit holds the level-0 connection
              // the job is scheduled: only maintenance's promotion makes it available
              return queue.call(
                  new Price(21),
                  Integer.class,
                  EnqueueOptions.defaults().runAt(Instant.now().plusMillis(300)),
                  Duration.ofSeconds(30));
            });
    assertThat(price).isEqualTo(42);
  }

  @Test
  void heartbeatsExtendTheLeaseOfAJobHoldingTheOnlyConnectionOfItsLevel() throws Exception {
    Database db = poolOfOne();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    RecordingListener events = new RecordingListener();
    JobQueue queue =
        QueueFixture.builder(pg, db, "beat_one")
            .listener(events)
            .leaseDuration(Duration.ofMillis(600))
            .handleInTx(
                "hold",
                Hold.class,
                (tx, job) -> {
                  tx.queryOne("select 1", rs -> rs.getInt(1)); // holds the only level-0 connection
                  started.countDown();
                  release.await();
                  return job.args().n();
                })
            .queue("default", 1)
            .build();
    closing.add(queue);
    queue.migrate();
    queue.start();
    long id = queue.enqueue(new Hold(1)).id();
    assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
    // read through a connection of its own: the job holds the database's only level-0 connection
    String expiry =
        "select (extract(epoch from lease_expires_at) * 1000)::bigint from beat_one.job where id = "
            + id;
    long firstExpiry = pg.queryLong(expiry);
    await(
        "lease extended past two lease durations", () -> pg.queryLong(expiry) > firstExpiry + 1200);
    release.countDown();
    await("completed", () -> state(queue, id) == JobState.COMPLETED);
    Job job = queue.find(id).orElseThrow();
    assertThat(job.attempt()).isEqualTo(1);
    assertThat(job.errors()).isEmpty();
    assertThat(events.events)
        .noneMatch(e -> e.startsWith("rescued ") || e.startsWith("lease lost "));
  }
}
