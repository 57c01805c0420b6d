package dev.txguard.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.FaultProxy;
import dev.txguard.test.Injected;
import dev.txguard.test.PostgresServer;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * stop() with prefetched jobs while the database is gone: handing them back cannot work, and stop
 * must still return (its bound: the timeout plus about 10 s, and a second per stuck thread).
 */
@TxguardTest(queue = false)
class PrefetchStopGoneIT {
  @Injected static TestDatabase pg;

  record Hold(int n) {}

  @Test
  void stopReturnsWhenTheDatabaseGoesAwayWithPrefetchedJobs() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    try (FaultProxy proxy = new FaultProxy(PostgresServer.get())) {
      Database db = QueueFixture.db(pg, proxy, Duration.ofMinutes(5));
      JobQueue queue =
          QueueFixture.builder(pg, db, "prefetch_gone")
              .controlConnection(proxy.jdbcUrl(pg.name()), pg.user(), pg.password())
              .handle(
                  "hold",
                  Hold.class,
                  job -> {
                    started.countDown();
                    new CountDownLatch(1).await(); // until stop() interrupts it
                    return null;
                  })
              .queue("default", 1)
              .prefetch(3)
              .build();
      QueueFixture.start(queue);
      try {
        for (int i = 0; i < 4; i++) {
          queue.enqueue(new Hold(i));
        }
        assertThat(started.await(60, TimeUnit.SECONDS)).as("the attempt started").isTrue();
        QueueFixture.await(
            "3 jobs prefetched",
            () ->
                pg.queryLong("select count(*) from prefetch_gone.job where state = 'running'")
                    == 4);
        proxy.down(true);
        CompletableFuture<Boolean> stop =
            CompletableFuture.supplyAsync(() -> queue.stop(Duration.ofMillis(200)));
        try {
          assertThat(stop.get(120, TimeUnit.SECONDS)).isFalse();
        } catch (TimeoutException e) {
          throw new AssertionError(
              "stop(200 ms) with prefetched jobs had not returned 120 s after the database went"
                  + " away",
              e);
        }
      } finally {
        proxy.down(false);
        db.close();
        pg.execute("drop schema prefetch_gone cascade");
      }
    }
  }
}
