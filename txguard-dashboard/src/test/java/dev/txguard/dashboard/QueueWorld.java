package dev.txguard.dashboard;

import dev.txguard.Database;
import dev.txguard.queue.EnqueueOptions;
import dev.txguard.queue.JobQueue;
import dev.txguard.queue.Schedule;
import dev.txguard.test.TestDatabase;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A started queue for the dashboard's tests: kind {@code ok} completes, {@code boom} fails while
 * {@link #failing} is set, {@code gate} waits for {@link #gate}. Queue {@code default} is worked;
 * {@code parked} is not, so its jobs stay available until a test acts on them.
 */
final class QueueWorld implements AutoCloseable {
  record Ok(String text) {}

  record Boom(String text) {}

  record Gate(int n) {}

  /** A job whose handler ignores cancel and finishes when {@link #stubborn} opens. */
  record Stubborn(int n) {}

  final AtomicBoolean failing = new AtomicBoolean(true);
  final CountDownLatch gate = new CountDownLatch(1);
  final CountDownLatch stubborn = new CountDownLatch(1);
  final TestDatabase pg;
  final String schema;
  final Database db;
  final JobQueue queue;

  QueueWorld(TestDatabase pg, String schema) {
    this.pg = pg;
    this.schema = schema;
    this.db =
        Database.builder()
            .url(pg.url())
            .user(pg.user())
            .password(pg.password())
            .poolSize(8)
            .connectionTimeout(Duration.ofSeconds(10))
            .build();
    this.queue =
        JobQueue.builder(db)
            .schema(schema)
            .owner("worker-1")
            .pollInterval(Duration.ofMillis(200))
            .maintenanceInterval(Duration.ofMillis(200))
            .retryBackoff(Duration.ZERO, Duration.ZERO)
            .handle("ok", Ok.class, job -> "done " + job.args().text())
            .handle(
                "boom",
                Boom.class,
                job -> {
                  if (failing.get()) {
                    throw new IllegalStateException("boom: " + job.args().text());
                  }
                  return "recovered";
                })
            .handle(
                "gate",
                Gate.class,
                job -> gate.await(60, TimeUnit.SECONDS) ? "opened" : "timed out")
            .handle(
                "stubborn",
                Stubborn.class,
                job -> stubborn.await(60, TimeUnit.SECONDS) ? "finished anyway" : "timed out")
            // a schedule whose next instant is months away: listed, never enqueued during a test
            .schedule("rare-report", Schedule.every(Duration.ofDays(300)), new Ok("report"))
            .queue("default", 4)
            .build();
    queue.migrate();
    queue.start();
  }

  long enqueue(Object args) {
    return queue.enqueue(args, EnqueueOptions.defaults().maxAttempts(1)).id();
  }

  long park(Object args) {
    return queue.enqueue(args, EnqueueOptions.defaults().queue("parked").maxAttempts(1)).id();
  }

  String state(long id) throws Exception {
    return (String) pg.query("select state from " + schema + ".job where id = " + id).get(0).get(0);
  }

  long count(String state) throws Exception {
    return pg.queryLong("select count(*) from " + schema + ".job where state = '" + state + "'");
  }

  /**
   * Waits up to 60 s for {@code condition}; the failure says what was awaited and what was last
   * seen.
   */
  static void await(String what, Callable<Object> seen, java.util.function.Predicate<Object> done)
      throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    Object last = seen.call();
    while (!done.test(last)) {
      if (System.nanoTime() > end) {
        throw new AssertionError("gave up waiting for " + what + "; last seen: " + last);
      }
      Thread.sleep(50);
      last = seen.call();
    }
  }

  @Override
  public void close() {
    gate.countDown();
    queue.stop(Duration.ofSeconds(10));
    db.close();
  }
}
