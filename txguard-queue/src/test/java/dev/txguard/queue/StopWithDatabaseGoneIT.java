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
 * {@code stop()} used to hang when the database went away while it stopped: giving the running
 * attempt's lease back, the heartbeat and maintenance each waited for a connection (the pool's
 * connection timeout, here 5 minutes, once per retry) and the control connection kept reconnecting
 * while stop() joined their threads without a bound. The database sits behind a proxy that goes
 * down once an attempt runs.
 */
@TxguardTest(queue = false)
class StopWithDatabaseGoneIT {
  @Injected static TestDatabase pg;

  record Hold(int n) {}

  @Test
  void stopReturnsWhenTheDatabaseGoesAwayWhileAnAttemptRuns() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    try (FaultProxy proxy = new FaultProxy(PostgresServer.get())) {
      Database db = QueueFixture.db(pg, proxy, Duration.ofMinutes(5));
      JobQueue queue =
          QueueFixture.builder(pg, db, "stop_gone")
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
              .build();
      QueueFixture.start(queue);
      try {
        queue.enqueue(new Hold(1));
        assertThat(started.await(60, TimeUnit.SECONDS)).as("the attempt started").isTrue();
        proxy.down(true);

        CompletableFuture<Boolean> stop =
            CompletableFuture.supplyAsync(() -> queue.stop(Duration.ofMillis(200)));
        // a liveness bound, not a speed assertion: before the fix stop() waited 5 minutes or more
        try {
          assertThat(stop.get(120, TimeUnit.SECONDS))
              .as("every attempt finished in time")
              .isFalse();
        } catch (TimeoutException e) {
          throw new AssertionError(
              "stop(200 ms) had not returned 120 s after the database went away", e);
        }
      } finally {
        proxy.down(false);
        db.close();
        // the attempt's lease could not be given back: its job stays running until rescued
        pg.execute("drop schema stop_gone cascade");
      }
    }
  }
}
