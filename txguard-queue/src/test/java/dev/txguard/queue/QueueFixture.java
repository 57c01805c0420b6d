package dev.txguard.queue;

import dev.txguard.Database;
import dev.txguard.test.TestDatabase;
import java.time.Duration;
import java.util.concurrent.Callable;

/** Shared helpers for queue integration tests. */
final class QueueFixture {
  private QueueFixture() {}

  static Database db(TestDatabase pg, int poolSize) {
    return Database.builder().url(pg.url()).user(pg.user()).password(pg.password())
        .connectionTimeout(Duration.ofSeconds(10)).poolSize(poolSize).build();
  }

  /** A queue builder with short intervals, so tests wait little; no timing is asserted. */
  static JobQueue.Builder builder(TestDatabase pg, Database db, String schema) {
    return JobQueue.builder(db).schema(schema)
        .pollInterval(Duration.ofMillis(200)).maintenanceInterval(Duration.ofMillis(50))
        .retryBackoff(Duration.ZERO, Duration.ZERO);
  }

  /** Migrates and starts a built queue (the usual class setup). */
  static void start(JobQueue queue) {
    queue.migrate();
    queue.start();
  }

  /** Stops a started queue, waiting at most 10 s for running attempts, and closes its database. */
  static void stop(JobQueue queue, Database db) {
    queue.stop(Duration.ofSeconds(10));
    db.close();
  }

  /**
   * Waits until {@code condition} holds, failing after a generous bound: a liveness check, not a
   * speed assertion.
   */
  static void await(String what, Callable<Boolean> condition) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.call()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("gave up waiting for: " + what);
      }
      Thread.sleep(20);
    }
  }

  /**
   * Waits until {@code count} reaches {@code target}, failing only when it makes no progress for
   * 60 s: on a loaded machine a long run may take minutes, but a stuck one is caught. The failure
   * says how far it got.
   */
  static void awaitProgress(String what, Callable<Long> count, long target) throws Exception {
    long stallLimit = Duration.ofSeconds(60).toNanos();
    long last = count.call();
    long lastChange = System.nanoTime();
    while (last < target) {
      Thread.sleep(50);
      long now = count.call();
      if (now != last) {
        last = now;
        lastChange = System.nanoTime();
      } else if (System.nanoTime() - lastChange > stallLimit) {
        throw new AssertionError("gave up waiting for: " + what + "; stuck at " + now + " of " + target
            + " for 60 s");
      }
    }
  }

  static JobState state(JobQueue queue, long id) {
    return queue.find(id).orElseThrow().state();
  }
}
