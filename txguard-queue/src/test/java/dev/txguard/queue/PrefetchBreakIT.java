package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static dev.txguard.queue.QueueFixture.awaitProgress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Prefetch ({@link JobQueue.Builder#prefetch}) as a demanding user would use it: one slot and many
 * jobs, handlers longer than the lease, failing and transactional handlers, grouped jobs and
 * cancelGroup, a cancel from another process, a dead process, and the listener's elapsed time.
 */
@TxguardTest(queue = false)
class PrefetchBreakIT {
  @Injected static TestDatabase pg;

  private static final String SCHEMA = "prefetch_brk";

  record Count(int n) {}

  record Slow(int n) {}

  record Hold(int n) {}

  record Fail(int n) {}

  record Grouped(int n) {}

  record Row(int n) {}

  /** Runs per job number, of the kinds that count them. */
  private static final Map<Integer, Integer> runs = new ConcurrentHashMap<>();

  /** Job numbers whose handler started (Hold, Grouped), with the owner that ran them. */
  private static final Map<Integer, String> started = new ConcurrentHashMap<>();

  /** Handler start (System.nanoTime) by job id. */
  private static final Map<Long, Long> handlerStart = new ConcurrentHashMap<>();

  /** When the test counted {@link #release} down (System.nanoTime). */
  private static volatile long releasedAt;

  private static final AtomicInteger active = new AtomicInteger();
  private static final AtomicInteger maxActive = new AtomicInteger();

  /** Hold(0) (and every Hold of owner "blocked") waits for this. */
  private static volatile CountDownLatch release = new CountDownLatch(1);

  private final List<JobQueue> queues = new ArrayList<>();
  private final List<Database> dbs = new ArrayList<>();

  @BeforeEach
  void setUp() {
    runs.clear();
    started.clear();
    handlerStart.clear();
    active.set(0);
    maxActive.set(0);
    release = new CountDownLatch(1);
    Database db = db();
    JobQueue q = worker(db, "setup", 1, 0, Duration.ofSeconds(30), null);
    q.migrate();
    db.useTx(
        tx -> {
          tx.update("create table if not exists " + SCHEMA + ".brk_row (n int primary key)");
          tx.update("delete from " + SCHEMA + ".brk_row");
          tx.update("delete from " + SCHEMA + ".job");
        });
  }

  @AfterEach
  void tearDown() {
    release.countDown();
    queues.forEach(q -> q.stop(Duration.ofSeconds(5)));
    dbs.forEach(Database::close);
  }

  private Database db() {
    Database db = QueueFixture.db(pg, 10);
    dbs.add(db);
    return db;
  }

  private static void enter() {
    int now = active.incrementAndGet();
    maxActive.accumulateAndGet(now, Math::max);
  }

  /** A worker of queue "default" with every kind of this test. */
  private JobQueue worker(
      Database db,
      String owner,
      int concurrency,
      int prefetch,
      Duration lease,
      QueueListener listener) {
    JobQueue.Builder b =
        QueueFixture.builder(pg, db, SCHEMA)
            .owner(owner)
            .leaseDuration(lease)
            .queue("default", concurrency)
            .prefetch(prefetch)
            .handle(
                "count",
                Count.class,
                job -> {
                  enter();
                  try {
                    runs.merge(job.args().n(), 1, Integer::sum);
                    Thread.yield();
                    return null;
                  } finally {
                    active.decrementAndGet();
                  }
                })
            .handle(
                "slow",
                Slow.class,
                job -> {
                  enter();
                  try {
                    runs.merge(job.args().n(), 1, Integer::sum);
                    Thread.sleep(lease.multipliedBy(3).toMillis()); // three leases: heartbeats
                    return null;
                  } finally {
                    active.decrementAndGet();
                  }
                })
            .handle(
                "hold",
                Hold.class,
                job -> {
                  handlerStart.put(job.id(), System.nanoTime());
                  started.put(job.args().n(), owner);
                  if (job.args().n() == 0 || owner.equals("blocked")) {
                    release.await();
                  }
                  return null;
                })
            .handle(
                "fail",
                Fail.class,
                job -> {
                  enter();
                  try {
                    runs.merge(job.args().n(), 1, Integer::sum);
                    throw new IllegalStateException("fails on purpose");
                  } finally {
                    active.decrementAndGet();
                  }
                })
            .handle(
                "grouped",
                Grouped.class,
                job -> {
                  started.put(job.args().n(), owner);
                  for (int i = 0; i < 60_000 && !job.isCancelRequested(); i++) {
                    Thread.sleep(5);
                  }
                  throw new IllegalStateException("stopped: cancel was requested");
                })
            .handleInTx(
                "row",
                Row.class,
                (tx, job) -> {
                  enter();
                  try {
                    runs.merge(job.args().n(), 1, Integer::sum);
                    tx.update("insert into " + SCHEMA + ".brk_row values (?)", job.args().n());
                    return null;
                  } finally {
                    active.decrementAndGet();
                  }
                });
    if (listener != null) {
      b.listener(listener);
    }
    JobQueue q = b.build();
    queues.add(q);
    return q;
  }

  private long count(Database db, String where) {
    return db.inTx(
        tx ->
            tx.queryOne(
                    "select count(*) from " + SCHEMA + ".job where " + where, rs -> rs.getLong(1))
                .orElseThrow());
  }

  @Test
  void prefetchOutOfRangeIsRefusedWithItsRange() {
    Database db = db();
    assertThatThrownBy(() -> JobQueue.builder(db).prefetch(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("prefetch")
        .hasMessageContaining("-1");
    assertThatThrownBy(() -> JobQueue.builder(db).prefetch(10_001))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("10000")
        .hasMessageContaining("10001");
    JobQueue.builder(db).prefetch(0).prefetch(10_000); // both ends accepted
  }

  @Test
  void concurrencyOneRunsEveryPrefetchedJobOnceAndOneAtATime() throws Exception {
    Database db = db();
    JobQueue q = worker(db, "one", 1, 8, Duration.ofSeconds(30), null);
    List<Count> args = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      args.add(new Count(i));
    }
    q.enqueueAll(args, EnqueueOptions.defaults());
    q.start();
    awaitProgress("300 jobs completed", () -> count(db, "state = 'completed'"), 300);
    assertThat(maxActive.get()).as("most handlers at once").isEqualTo(1);
    assertThat(runs).hasSize(300);
    assertThat(runs.values()).containsOnly(1);
  }

  @Test
  void prefetchedLeasesOutliveHandlersLongerThanTheLease() throws Exception {
    Database db = db();
    Duration lease = Duration.ofMillis(600);
    JobQueue q = worker(db, "slow", 1, 3, lease, null);
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ids.add(q.enqueue(new Slow(i)).id());
    }
    q.start();
    awaitProgress("4 slow jobs completed", () -> count(db, "state = 'completed'"), 4);
    assertThat(runs.values()).as("runs per job").containsOnly(1).hasSize(4);
    assertThat(maxActive.get()).isEqualTo(1);
    for (long id : ids) {
      Job job = q.find(id).orElseThrow();
      assertThat(job.attempt()).as("attempts of job %d", id).isEqualTo(1);
      assertThat(job.errors()).as("errors of job %d", id).isEmpty();
    }
  }

  @Test
  void aFailingHandlerWithPrefetchAndNoRetryDelayRunsEachJobItsMaxAttempts() throws Exception {
    Database db = db();
    JobQueue q = worker(db, "fail", 2, 4, Duration.ofSeconds(30), null);
    List<Fail> args = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      args.add(new Fail(i));
    }
    q.enqueueAll(args, EnqueueOptions.defaults().maxAttempts(3));
    q.start();
    awaitProgress("20 jobs failed", () -> count(db, "state = 'failed'"), 20);
    assertThat(runs.values()).as("runs per job").containsOnly(3).hasSize(20);
    assertThat(maxActive.get()).isLessThanOrEqualTo(2);
    assertThat(count(db, "attempt <> 3")).isZero();
  }

  @Test
  void transactionalHandlersWithPrefetchRunOnceEach() throws Exception {
    Database db = db();
    JobQueue q = worker(db, "tx", 2, 6, Duration.ofSeconds(30), null);
    List<Row> args = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      args.add(new Row(i));
    }
    q.enqueueAll(args, EnqueueOptions.defaults());
    q.start();
    awaitProgress("100 jobs completed", () -> count(db, "state = 'completed'"), 100);
    assertThat(runs.values()).as("runs per job").containsOnly(1).hasSize(100);
    assertThat(maxActive.get()).isLessThanOrEqualTo(2);
    long rows =
        db.inTx(
            tx ->
                tx.queryOne("select count(*) from " + SCHEMA + ".brk_row", rs -> rs.getLong(1))
                    .orElseThrow());
    assertThat(rows).isEqualTo(100);
  }

  @Test
  void cancelGroupCountsPrefetchedGroupedJobsAsWaitedFor() throws Exception {
    Database db = db();
    JobQueue q = worker(db, "grp", 1, 3, Duration.ofSeconds(30), null);
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ids.add(q.enqueue(new Grouped(i), EnqueueOptions.defaults().group("g")).id());
    }
    q.start();
    await(
        "job 0 runs and 3 more are prefetched",
        () -> started.size() == 1 && count(db, "state = 'running'") == 4,
        () -> "started " + started + ", running " + count(db, "state = 'running'"));
    CancelResult result = q.cancelGroup("g", Duration.ofSeconds(60));
    // as documented: the 3 prefetched ones are waited for with the running one, the 2 unclaimed
    // ones cancelled
    assertThat(result).isEqualTo(new CancelResult(2, 4, 0));
    assertThat(started.keySet()).containsExactly(0);
    for (long id : ids) {
      assertThat(QueueFixture.state(q, id)).as("job %d", id).isEqualTo(JobState.CANCELLED);
    }
  }

  /**
   * The prefetch javadoc: a cancel from another process reaches a prefetched job as soon as the
   * cancel's notification arrives, and the job ends cancelled without running its handler. Before,
   * it arrived only at the worker's next heartbeat (a third of the lease), so a slot freed before
   * then ran the cancelled job's handler. With a lease of 10 minutes the heartbeat is 200 s away:
   * the job must end cancelled while the only slot is still held, long before that.
   */
  @Test
  void aCancelFromAnotherProcessOfAPrefetchedJobDoesNotRunItsHandler() throws Exception {
    Database dbB = db();
    JobQueue b = worker(dbB, "worker", 1, 2, Duration.ofMinutes(10), null);
    long blocker = b.enqueue(new Hold(0)).id();
    long victim = b.enqueue(new Hold(1)).id();
    b.start();
    await(
        "job 0 runs and job 1 is prefetched",
        () -> started.containsKey(0) && QueueFixture.state(b, victim) == JobState.RUNNING,
        () -> "started " + started + ", job 1 " + QueueFixture.state(b, victim));
    Database dbA = db();
    JobQueue a = worker(dbA, "canceller", 1, 0, Duration.ofSeconds(30), null); // not started
    assertThat(a.cancel(victim)).isTrue();
    await(
        "job 1 ends cancelled while job 0 still holds the only slot",
        () -> QueueFixture.state(b, victim) == JobState.CANCELLED,
        () -> "job 1 " + QueueFixture.state(b, victim) + ", started " + started.keySet());
    release.countDown();
    await(
        "job 0 completes",
        () -> QueueFixture.state(b, blocker) == JobState.COMPLETED,
        () -> "job 0 " + QueueFixture.state(b, blocker));
    assertThat(started).doesNotContainKey(1);
  }

  /**
   * QueueListener.onCompleted: "elapsed: how long the attempt ran, from its start to its
   * completion". A prefetched attempt starts when a slot takes it, not when it was claimed.
   */
  @Test
  void onCompletedElapsedOfAPrefetchedJobLeavesOutItsWaitForASlot() throws Exception {
    Map<Long, Long> elapsed = new ConcurrentHashMap<>();
    Map<Long, Long> bound = new ConcurrentHashMap<>();
    QueueListener listener =
        new QueueListener() {
          @Override
          public void onCompleted(JobEvent job, Duration took) {
            long now = System.nanoTime();
            elapsed.put(job.id(), took.toNanos());
            bound.put(job.id(), now - releasedAt);
          }
        };
    Database db = db();
    JobQueue q = worker(db, "timed", 1, 1, Duration.ofSeconds(30), listener);
    q.enqueue(new Hold(0));
    long waiting = q.enqueue(new Hold(1)).id();
    q.start();
    await(
        "job 0 runs and job 1 is prefetched",
        () -> started.containsKey(0) && QueueFixture.state(q, waiting) == JobState.RUNNING,
        () -> "started " + started);
    Thread.sleep(300); // job 1 waits for the slot a while (no timing is asserted)
    releasedAt = System.nanoTime();
    release.countDown();
    await("job 1 completed", () -> elapsed.containsKey(waiting));
    // job 1's attempt can start only after job 0's handler returned, which is after the release:
    // its elapsed is at most the time from the release to its onCompleted
    assertThat(elapsed.get(waiting))
        .as(
            "elapsed ns of the prefetched job; release to its onCompleted took %d ns",
            bound.get(waiting))
        .isLessThanOrEqualTo(bound.get(waiting));
  }

  @Test
  void aDeadProcessesPrefetchedJobsAreRescuedAndRunElsewhere() throws Exception {
    Duration lease = Duration.ofMillis(600);
    Database dbA = db();
    JobQueue a = worker(dbA, "blocked", 1, 2, lease, null);
    long running = a.enqueue(new Hold(10)).id();
    long prefetched = a.enqueue(new Hold(11)).id();
    long once = a.enqueue(new Hold(12), EnqueueOptions.defaults().maxAttempts(1)).id();
    a.start();
    await(
        "job 10 runs and 11, 12 are prefetched",
        () -> started.containsKey(10) && count(dbA, "state = 'running'") == 3,
        () -> "started " + started + ", running " + count(dbA, "state = 'running'"));
    a.engine().abandon();
    Database dbB = db();
    JobQueue b = worker(dbB, "rescuer", 1, 2, lease, null);
    b.start();
    await(
        "the three jobs ended",
        () ->
            QueueFixture.state(b, running).isFinal()
                && QueueFixture.state(b, prefetched).isFinal()
                && QueueFixture.state(b, once).isFinal(),
        () -> "started " + started);
    assertThat(QueueFixture.state(b, running)).isEqualTo(JobState.COMPLETED);
    assertThat(QueueFixture.state(b, prefetched)).isEqualTo(JobState.COMPLETED);
    assertThat(started).containsEntry(11, "rescuer").doesNotContainKey(12);
    assertThat(b.find(prefetched).orElseThrow().attempt()).isEqualTo(2);
    // documented: a prefetched job with maxAttempts(1) can end failed without having run
    assertThat(QueueFixture.state(b, once)).isEqualTo(JobState.FAILED);
    release.countDown();
  }

  /**
   * A cancelled prefetched grouped job starts at once, without a slot, and took its group's lock on
   * a connection of its own opened outside the pools before finding the cancel: cancelGroup with
   * many prefetched jobs opened that many connections at once, past the server's max_connections.
   */
  @Test
  void cancelGroupOfManyPrefetchedJobsOpensNoConnectionPerPrefetchedJob() throws Exception {
    int prefetch = 900; // the embedded server's max_connections is 300
    Database db = db();
    JobQueue q =
        QueueFixture.builder(pg, db, SCHEMA)
            .owner("many")
            .queue("default", 1)
            .prefetch(prefetch)
            .fetchBatchSize(1000)
            .handle(
                "grouped",
                Grouped.class,
                job -> {
                  started.put(job.args().n(), "many");
                  for (int i = 0; i < 60_000 && !job.isCancelRequested(); i++) {
                    Thread.sleep(5);
                  }
                  throw new IllegalStateException("stopped: cancel was requested");
                })
            .build();
    queues.add(q);
    List<Grouped> args = new ArrayList<>();
    for (int i = 0; i <= prefetch; i++) {
      args.add(new Grouped(i));
    }
    q.enqueueAll(args, EnqueueOptions.defaults().group("big"));
    q.start();
    await(
        "one job runs and " + prefetch + " are prefetched",
        () -> started.size() == 1 && count(db, "state = 'running'") >= prefetch,
        () -> "started " + started + ", running " + count(db, "state = 'running'"));
    CancelResult result = q.cancelGroup("big", Duration.ofSeconds(120));
    assertThat(result.stillRunning()).isZero();
    assertThat(result.cancelled() + result.waitedFor()).isEqualTo(prefetch + 1);
    assertThat(result.waitedFor()).isGreaterThanOrEqualTo(prefetch);
    assertThat(started).hasSize(1);
    assertThat(count(db, "state = 'cancelled'")).isEqualTo(prefetch + 1);
    assertThat(count(db, "state = 'cancelled' and jsonb_array_length(errors) <> 1"))
        .as("cancelled jobs with other errors than their cancel")
        .isZero();
  }

  /**
   * stop() hands prefetched jobs back one unit each, within its grace of 10 s: with many prefetched
   * jobs the rest are left to be rescued when their leases expire, counting an attempt.
   */
  @Test
  void stopHandsEveryPrefetchedJobBackWithoutCountingAnAttempt() throws Exception {
    int prefetch = 5000;
    Database db = db();
    JobQueue q =
        QueueFixture.builder(pg, db, SCHEMA)
            .owner("blocked")
            .queue("default", 1)
            .prefetch(prefetch)
            .fetchBatchSize(1000)
            .handle(
                "hold",
                Hold.class,
                job -> {
                  started.put(job.args().n(), "blocked");
                  release.await();
                  return null;
                })
            .build();
    queues.add(q);
    List<Hold> args = new ArrayList<>();
    for (int i = 0; i <= prefetch; i++) {
      args.add(new Hold(i));
    }
    q.enqueueAll(args, EnqueueOptions.defaults());
    q.start();
    // the last claim waits for room of half a batch: at least the prefetch is claimed
    awaitProgress(
        "one job runs and most are prefetched", () -> count(db, "state = 'running'"), prefetch);
    q.stop(Duration.ZERO);
    assertThat(count(db, "state = 'running'")).as("jobs still running after stop").isZero();
    assertThat(count(db, "attempt <> 0")).as("jobs with an attempt counted").isZero();
  }

  @Test
  void callsFromUnitsAndFromOutsideReturnWithPrefetch() throws Exception {
    Database db = db();
    JobQueue q = worker(db, "calls", 1, 4, Duration.ofSeconds(30), null);
    q.start();
    List<java.util.concurrent.Future<Object>> results = new ArrayList<>();
    try (var callers = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 30; i++) {
        int n = i;
        results.add(
            callers.submit(
                () ->
                    n % 2 == 0
                        ? q.call(new Count(n), Duration.ofSeconds(120))
                        : db.inTx(tx -> q.call(new Count(n), Duration.ofSeconds(120)))));
      }
      for (var r : results) {
        assertThat(r.get()).isNull();
      }
    }
    assertThat(runs.values()).as("runs per job").containsOnly(1).hasSize(30);
    assertThat(count(db, "state = 'completed' and run_level = 1")).isEqualTo(15);
  }

  /**
   * A worker that starts just after the producer's announcer found nobody listening: the jobs
   * enqueued while that answer is kept (1 s) are not announced, and the late worker finds them at
   * its poll (the default, 1 s). Liveness only; the times are printed.
   */
  @Test
  void aWorkerStartingAfterTheNobodyListensAnswerFindsTheJobs() throws Exception {
    Database dbA = db();
    JobQueue a =
        QueueFixture.builder(pg, dbA, SCHEMA)
            .owner("producer")
            .queue("elsewhere", 1)
            .handle("count", Count.class, job -> null)
            .build();
    queues.add(a);
    a.start();
    long first = a.enqueue(new Count(0)).id(); // the announcer asks who listens: nobody works it
    Thread.sleep(100);
    Database dbB = db();
    JobQueue b =
        QueueFixture.builder(pg, dbB, SCHEMA)
            .owner("late")
            .pollInterval(Duration.ofSeconds(1))
            .queue("default", 1)
            .prefetch(4)
            .handle(
                "count",
                Count.class,
                job -> {
                  runs.merge(job.args().n(), 1, Integer::sum);
                  return null;
                })
            .build();
    queues.add(b);
    b.start();
    long t1 = System.nanoTime();
    long unannounced = a.enqueue(new Count(1)).id();
    await("job 1 completed", () -> QueueFixture.state(b, unannounced) == JobState.COMPLETED);
    long ms1 = (System.nanoTime() - t1) / 1_000_000;
    Thread.sleep(1_200); // the announcer's answer is renewed at its next send
    long t2 = System.nanoTime();
    long announced = a.enqueue(new Count(2)).id();
    await("job 2 completed", () -> QueueFixture.state(b, announced) == JobState.COMPLETED);
    long ms2 = (System.nanoTime() - t2) / 1_000_000;
    System.out.println(
        "late worker: job enqueued within the 'nobody listens' answer done after "
            + ms1
            + " ms, a job enqueued after it after "
            + ms2
            + " ms");
    assertThat(QueueFixture.state(b, first)).isEqualTo(JobState.COMPLETED);
    assertThat(runs).containsOnlyKeys(0, 1, 2);
  }

  /**
   * The grouped counterpart of the disabled test above: a prefetched grouped job reads the cancel
   * flag from the database when it takes its group's lock, so a cancel from another process is
   * honoured even before the worker's heartbeat.
   */
  @Test
  void aCancelFromAnotherProcessOfAPrefetchedGroupedJobDoesNotRunItsHandler() throws Exception {
    Database dbB = db();
    JobQueue b = worker(dbB, "worker", 1, 2, Duration.ofSeconds(30), null);
    long blocker = b.enqueue(new Hold(0)).id();
    long victim = b.enqueue(new Hold(1), EnqueueOptions.defaults().group("g1")).id();
    b.start();
    await(
        "job 0 runs and job 1 is prefetched",
        () -> started.containsKey(0) && QueueFixture.state(b, victim) == JobState.RUNNING,
        () -> "started " + started + ", job 1 " + QueueFixture.state(b, victim));
    Database dbA = db();
    JobQueue a = worker(dbA, "canceller", 1, 0, Duration.ofSeconds(30), null); // not started
    assertThat(a.cancel(victim)).isTrue();
    release.countDown();
    await(
        "both jobs ended",
        () ->
            QueueFixture.state(b, blocker) == JobState.COMPLETED
                && QueueFixture.state(b, victim).isFinal(),
        () -> "job 1 " + QueueFixture.state(b, victim));
    assertThat(started).doesNotContainKey(1);
    assertThat(QueueFixture.state(b, victim)).isEqualTo(JobState.CANCELLED);
  }
}
