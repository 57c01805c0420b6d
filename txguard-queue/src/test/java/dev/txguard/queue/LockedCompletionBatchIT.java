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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * Break-it run on issue 13 (brk13): the fetcher counts an attempt as finishing once its plain
 * handler returned. Here a completion batch is held by a row lock the test takes (as {@link
 * ClaimsDuringSlowCompletionIT} does) while: heartbeats run, stop() is called, the batch's
 * connection is killed, cancel() is called for jobs whose completion waits. Each test has a queue
 * and schema of its own (stop is final).
 */
@TxguardTest(queue = false)
class LockedCompletionBatchIT {
  @Injected static TestDatabase pg;

  record Slow(String name) {}

  record Quick(int n) {}

  static final AtomicInteger schemas = new AtomicInteger();

  CountDownLatch slowStarted;
  CountDownLatch slowMayReturn;
  Map<Integer, AtomicInteger> quickRuns;
  Database db;
  JobQueue queue;
  String schema;
  final ExecutorService bounded = Executors.newCachedThreadPool();

  JobQueue start(Duration lease) {
    slowStarted = new CountDownLatch(1);
    slowMayReturn = new CountDownLatch(1);
    quickRuns = new ConcurrentHashMap<>();
    schema = "brk13stop" + schemas.incrementAndGet();
    db = QueueFixture.db(pg, 8);
    queue =
        QueueFixture.builder(pg, db, schema)
            .leaseDuration(lease)
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
            .handle(
                "quick",
                Quick.class,
                job ->
                    quickRuns
                        .computeIfAbsent(job.args().n(), n -> new AtomicInteger())
                        .incrementAndGet())
            .queue("default", 2)
            .build();
    QueueFixture.start(queue);
    return queue;
  }

  @AfterEach
  void tearDown() {
    bounded.shutdownNow();
    if (queue != null) {
      queue.stop(Duration.ZERO);
    }
    if (db != null) {
      db.close();
    }
  }

  /** Locks the slow job's row on {@code c}, lets its handler return, waits for its batch. */
  long holdSlowCompletion(Connection c) throws Exception {
    long slow = queue.enqueue(new Slow("first")).id();
    assertThat(slowStarted.await(60, TimeUnit.SECONDS)).as("the slow job started").isTrue();
    c.setAutoCommit(false);
    try (PreparedStatement ps =
        c.prepareStatement("select id from " + schema + ".job where id = ? for update")) {
      ps.setLong(1, slow);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).as("the slow job's row").isTrue();
      }
    }
    slowMayReturn.countDown();
    pg.awaitLockWait("unnest");
    return slow;
  }

  List<Long> quickJobsRun(int n) throws Exception {
    List<Long> ids =
        queue.enqueueAll(
            IntStream.range(0, n).mapToObj(Quick::new).toList(), EnqueueOptions.defaults());
    QueueFixture.awaitProgress(
        "the quick jobs' handlers run while the first completion batch waits",
        () -> (long) quickRuns.size(),
        n);
    return ids;
  }

  String states(List<Long> ids) throws Exception {
    return pg.query(
            "select state, attempt, count(*) from "
                + schema
                + ".job group by state, attempt order by 1, 2")
        .toString();
  }

  @Test
  void heartbeatsWhileACompletionBatchWaitsKeepEveryLeaseAndEachJobRunsOnce() throws Exception {
    start(Duration.ofSeconds(3)); // heartbeat every second
    try (Connection c = pg.connect()) {
      long slow = holdSlowCompletion(c);
      List<Long> ids = quickJobsRun(10);
      // three leases long: heartbeats must keep every lease (the slow job's and the quick jobs'
      // whose completions wait for the next batch), or rescue would run jobs again
      Thread.sleep(9_000);
      String during = states(ids);
      c.rollback();
      List<Long> all = new ArrayList<>(ids);
      all.add(slow);
      QueueFixture.awaitProgress(
          "every job completes once the lock is gone (states while locked: " + during + ")",
          () -> all.stream().filter(id -> state(queue, id) == JobState.COMPLETED).count(),
          all.size());
      assertThat(quickRuns.values().stream().map(AtomicInteger::get).toList())
          .as("how often each quick handler ran (states while locked: " + during + ")")
          .hasSize(10)
          .allMatch(n -> n == 1);
      assertThat(all.stream().map(id -> queue.find(id).orElseThrow().attempt()).toList())
          .as("attempts")
          .allMatch(a -> a == 1);
    }
  }

  @Test
  @Disabled(
      "brk13 finding 9: stop(1 s) returned false after 11.1 s (within its bound) but left all 11"
          + " jobs RUNNING under one-hour leases, the 10 whose handlers had returned included:"
          + " give-up waits for the locked row and is interrupted, the waiting completions are"
          + " dropped; the jobs run again only after their leases expire")
  void stopWhileCompletionsWaitEndsWithinItsBoundAndLeavesNoJobRunning() throws Exception {
    start(Duration.ofHours(1)); // only give-up (not expiry) can end a lease within the test
    try (Connection c = pg.connect()) {
      long slow = holdSlowCompletion(c);
      List<Long> ids = quickJobsRun(10);
      long t0 = System.nanoTime();
      Future<Boolean> stopped = bounded.submit(() -> queue.stop(Duration.ofSeconds(1)));
      boolean result;
      try {
        result = stopped.get(120, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new AssertionError(
            "stop(1 s) had not returned after 120 s with a completion batch held by a row lock;"
                + " states: "
                + states(ids));
      }
      long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      String afterStop = states(ids);
      c.rollback();
      List<Long> all = new ArrayList<>(ids);
      all.add(slow);
      // nothing works the queue any more: whatever is still running now stays so for an hour
      Thread.sleep(2_000); // let a late, unblocked batch commit if one still runs
      String finalStates = states(ids);
      System.out.printf(
          "brk13: stop(1 s) returned %s after %d ms; states after stop %s; after unlock %s%n",
          result, stopMs, afterStop, finalStates);
      assertThat(all.stream().map(id -> state(queue, id)).toList())
          .as(
              "no job stays running once stop returned (stop took %d ms, returned %s; states after"
                  + " stop %s, after unlock %s)",
              stopMs, result, afterStop, finalStates)
          .doesNotContain(JobState.RUNNING);
    }
  }

  @Test
  void theBatchsConnectionKilledWhileCompletionsWaitEveryJobStillCompletesOnce() throws Exception {
    start(Duration.ofHours(1));
    try (Connection c = pg.connect()) {
      long slow = holdSlowCompletion(c);
      List<Long> ids = quickJobsRun(10);
      pg.execute(
          "select pg_terminate_backend(pid) from pg_stat_activity where datname ="
              + " current_database() and wait_event_type = 'Lock' and query like '%unnest%'");
      c.rollback();
      List<Long> all = new ArrayList<>(ids);
      all.add(slow);
      QueueFixture.awaitProgress(
          "every job completes after its batch's connection was killed",
          () -> all.stream().filter(id -> state(queue, id) == JobState.COMPLETED).count(),
          all.size());
      assertThat(quickRuns.values().stream().map(AtomicInteger::get).toList())
          .hasSize(10)
          .allMatch(n -> n == 1);
    }
  }

  @Test
  void cancelOfJobsWhoseCompletionWaitsLetsThemCompleteOnce() throws Exception {
    start(Duration.ofHours(1));
    try (Connection c = pg.connect()) {
      long slow = holdSlowCompletion(c);
      List<Long> ids = quickJobsRun(10);
      List<Boolean> cancelled = new ArrayList<>();
      Future<?> cancels =
          bounded.submit(
              () -> {
                cancelled.add(queue.cancel(slow)); // its row is locked: waits for the lock
                return null;
              });
      for (long id : ids) {
        cancelled.add(queue.cancel(id));
      }
      c.rollback();
      cancels.get(60, TimeUnit.SECONDS);
      List<Long> all = new ArrayList<>(ids);
      all.add(slow);
      QueueFixture.awaitProgress(
          "every job ends after the cancels",
          () -> all.stream().filter(id -> state(queue, id).isFinal()).count(),
          all.size());
      System.out.printf("brk13: cancel answers %s; states %s%n", cancelled, states(ids));
      assertThat(all.stream().map(id -> state(queue, id)).toList())
          .as("a job whose handler finished completes (cancel answers %s)", cancelled)
          .allMatch(s -> s == JobState.COMPLETED);
      assertThat(quickRuns.values().stream().map(AtomicInteger::get).toList())
          .allMatch(n -> n == 1);
    }
  }

  @Test
  void moreThanABatchOfFinishingAttemptsStopsClaimsAndThenDrainsOnce() throws Exception {
    start(Duration.ofHours(1));
    try (Connection c = pg.connect()) {
      long slow = holdSlowCompletion(c);
      List<Long> ids =
          queue.enqueueAll(
              IntStream.range(0, 300).mapToObj(Quick::new).toList(), EnqueueOptions.defaults());
      QueueFixture.awaitProgress(
          "quick handlers run while the first completion batch waits",
          () -> (long) quickRuns.size(),
          200);
      Thread.sleep(2_000); // room to run past the bound of 256 finishing attempts, if it would
      int ranWhileLocked = quickRuns.size();
      String during = states(ids);
      c.rollback();
      List<Long> all = new ArrayList<>(ids);
      all.add(slow);
      QueueFixture.awaitProgress(
          "every job completes once the lock is gone",
          () -> all.stream().filter(id -> state(queue, id) == JobState.COMPLETED).count(),
          all.size());
      System.out.printf(
          "brk13: %d quick handlers ran while one batch was locked; states then %s%n",
          ranWhileLocked, during);
      assertThat(ranWhileLocked).as("handlers run while locked").isLessThanOrEqualTo(256 + 2);
      assertThat(quickRuns.values().stream().map(AtomicInteger::get).toList())
          .hasSize(300)
          .allMatch(n -> n == 1);
    }
  }
}
