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
import org.junit.jupiter.api.Test;

/**
 * Break-it run on issue 13 (brk13): the fetcher counts an attempt as finishing once its plain
 * handler returned. Here a job's completion is held by a row lock the test takes (as {@link
 * ClaimsDuringSlowCompletionIT} does) while: heartbeats run, stop() is called, the waiting
 * statement's connection is killed, cancel() is called for jobs whose completion waits. Since
 * session 10 a completion batch waits at most a second for a locked row (complete_batch.sql's
 * lock_timeout) and its attempts then complete alone, so only the locked job's completion waits.
 * Each test has a queue and schema of its own (stop is final).
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
    // in its batch, or, after the batch's lock timeout, alone: both statements say this
    pg.awaitLockWait("set state = 'completed'");
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

  /**
   * Leases of 3 s (a heartbeat every second) while the slow job's row stays locked for three of
   * them: the quick jobs complete while it is locked (their completions do not wait behind it) and
   * each runs once. The slow job's lease cannot be extended while its row is locked (the heartbeat
   * skips rows another transaction holds: heartbeat.sql), so it expires; rescue skips the locked
   * row too, and once the lock goes either the slow job's waiting completion or rescue takes the
   * row first: it completes, on its first attempt or, rescued, on its second.
   */
  @Test
  void shortLeasesWhileACompletionWaitsForALockedRow() throws Exception {
    start(Duration.ofSeconds(3)); // heartbeat every second
    try (Connection c = pg.connect()) {
      long slow = holdSlowCompletion(c);
      List<Long> ids = quickJobsRun(10);
      QueueFixture.awaitProgress(
          "the quick jobs complete while the slow job's row is locked",
          () -> ids.stream().filter(id -> state(queue, id) == JobState.COMPLETED).count(),
          ids.size());
      Thread.sleep(9_000); // three leases long
      String during = states(ids);
      c.rollback();
      QueueFixture.awaitProgress(
          "the slow job completes once the lock is gone (states while locked: " + during + ")",
          () -> state(queue, slow) == JobState.COMPLETED ? 1L : 0L,
          1);
      assertThat(quickRuns.values().stream().map(AtomicInteger::get).toList())
          .as("how often each quick handler ran (states while locked: " + during + ")")
          .hasSize(10)
          .allMatch(n -> n == 1);
      assertThat(ids.stream().map(id -> queue.find(id).orElseThrow().attempt()).toList())
          .as("the quick jobs' attempts")
          .allMatch(a -> a == 1);
      assertThat(queue.find(slow).orElseThrow().attempt())
          .as(
              "the slow job's attempts (its errors: %s)",
              pg.query("select errors::text from " + schema + ".job where id = " + slow))
          .isBetween(1, 2);
    }
  }

  /**
   * brk13 finding 9: stop(1 s) while a completion batch waited for a locked row left every job of
   * the batch and of the completions queued behind it running under their leases (an hour here),
   * the 10 whose handlers had returned included, to run again after the leases expired. Now the
   * batch gives up after its lock timeout and the quick jobs complete before stop is even called;
   * only the job whose row the test holds locked through stop cannot be written, and stays running
   * until its lease expires (or completes, if its unit is still waiting when the lock goes).
   */
  @Test
  void stopWhileOneCompletionWaitsForALockedRowLeavesOnlyThatJobUnfinished() throws Exception {
    start(Duration.ofHours(1)); // only give-up (not expiry) can end a lease within the test
    try (Connection c = pg.connect()) {
      long slow = holdSlowCompletion(c);
      List<Long> ids = quickJobsRun(10);
      QueueFixture.awaitProgress(
          "the quick jobs complete while the slow job's row is locked",
          () -> ids.stream().filter(id -> state(queue, id) == JobState.COMPLETED).count(),
          ids.size());
      Future<Boolean> stopped = bounded.submit(() -> queue.stop(Duration.ofSeconds(1)));
      try {
        stopped.get(120, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new AssertionError(
            "stop(1 s) had not returned after 120 s with a completion held by a row lock;"
                + " states: "
                + states(ids));
      }
      c.rollback();
      assertThat(ids.stream().map(id -> state(queue, id)).toList())
          .as("the quick jobs after stop")
          .allMatch(s -> s == JobState.COMPLETED);
      assertThat(state(queue, slow))
          .as("the slow job, whose row was locked through stop")
          .isIn(JobState.RUNNING, JobState.COMPLETED);
      assertThat(quickRuns.values().stream().map(AtomicInteger::get).toList())
          .hasSize(10)
          .allMatch(n -> n == 1);
      // the slow job's lease would keep it running for an hour: end it, so that the leak check
      // finds nothing this test left
      pg.execute("delete from " + schema + ".job where id = " + slow + " and state = 'running'");
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
              + " current_database() and wait_event_type = 'Lock'"
              + " and query like '%set state = ''completed''%'");
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

  /**
   * Before, a batch waited for the locked row as long as the lock was held, every later completion
   * of the run level queued behind it, and once a batch's worth (256) of attempts were finishing
   * the fetcher stopped claiming: one row an operator held locked stopped the whole worker. The
   * batch now gives up after its lock timeout (a second) and each of its attempts completes in a
   * unit of its own, so only the locked job waits.
   */
  @Test
  void aLockedRowHoldsUpOnlyItsOwnCompletion() throws Exception {
    start(Duration.ofHours(1));
    try (Connection c = pg.connect()) {
      long slow = holdSlowCompletion(c);
      List<Long> ids =
          queue.enqueueAll(
              IntStream.range(0, 300).mapToObj(Quick::new).toList(), EnqueueOptions.defaults());
      QueueFixture.awaitProgress(
          "the quick jobs complete while the slow job's row is locked",
          () -> ids.stream().filter(id -> state(queue, id) == JobState.COMPLETED).count(),
          ids.size());
      assertThat(state(queue, slow)).as("the slow job, its row locked").isEqualTo(JobState.RUNNING);
      c.rollback();
      QueueFixture.awaitProgress(
          "the slow job completes once the lock is gone",
          () -> state(queue, slow) == JobState.COMPLETED ? 1L : 0L,
          1);
      assertThat(quickRuns.values().stream().map(AtomicInteger::get).toList())
          .hasSize(300)
          .allMatch(n -> n == 1);
      assertThat(queue.find(slow).orElseThrow().attempt())
          .as("the slow job's attempts")
          .isEqualTo(1);
    }
  }
}
