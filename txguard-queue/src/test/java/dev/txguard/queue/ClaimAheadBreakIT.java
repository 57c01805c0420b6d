package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static dev.txguard.queue.QueueFixture.awaitProgress;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Break-it tests of the claim-ahead bounded by the handlers' mean slot time ({@link
 * JobQueue.Builder#prefetch}, ClaimAhead): the estimate swinging between short and slow handlers,
 * failing and transactional handlers with retries without delay, cancelled prefetched jobs, several
 * instances with one stopped half-way, and a job of a better priority enqueued while claims of the
 * free slots alone (a claim-ahead of 0) walk a backlog after the claim cursor.
 *
 * <p>Most workers here poll once a day ({@link #NO_POLL}): only wake-ups (an enqueue in this
 * process, a finished attempt, a NOTIFY) move their fetchers, so a job left unclaimed while a slot
 * is free shows as a stalled wait instead of a poll's delay.
 */
@TxguardTest(queue = false)
class ClaimAheadBreakIT {
  @Injected static TestDatabase pg;

  /** A plain job that takes {@code ms} (an input, not an assertion) and fails its first attempt. */
  record Var(int n, int ms, boolean failFirst) {}

  /** The transactional counterpart of {@link Var}: it inserts row {@code n} in its unit. */
  record VarTx(int n, int ms, boolean failFirst) {}

  /**
   * A job whose transactional handler waits for {@link #release} when {@code n} is 1, else takes 50
   * ms. Transactional: its slot is released after its unit committed, so the fetcher's two wake-ups
   * at its end (the slot, the attempt) come together and start one round; a plain handler's attempt
   * ends after its completion batch, and its second wake-up may start another round. The 50 ms let
   * the fetcher wait for that wake-up, instead of finding it already raised.
   */
  record Hold(int n) {}

  /** Long enough that a job found only by a poll stalls a wait (see the class comment). */
  private static final Duration NO_POLL = Duration.ofDays(1);

  /** Runs per job number. */
  private static final Map<Integer, AtomicInteger> runs = new ConcurrentHashMap<>();

  /** Numbers of the {@link Hold} jobs whose handler started. */
  private static final Set<Integer> started = ConcurrentHashMap.newKeySet();

  private static final AtomicInteger active = new AtomicInteger();
  private static final AtomicInteger maxActive = new AtomicInteger();
  private static volatile CountDownLatch release = new CountDownLatch(1);

  private final List<JobQueue> queues = new ArrayList<>();
  private final List<Database> dbs = new ArrayList<>();

  @BeforeEach
  void setUp() {
    runs.clear();
    started.clear();
    active.set(0);
    maxActive.set(0);
    release = new CountDownLatch(1);
  }

  @AfterEach
  void tearDown() {
    release.countDown();
    queues.forEach(q -> q.stop(Duration.ofSeconds(5)));
    dbs.forEach(Database::close);
  }

  /**
   * Rounds of 40 short jobs (the mean falls below a 20th of its value: the claim-ahead becomes the
   * whole prefetch) then 3 of 35 ms and one transactional of 20 ms (the mean rises past 10 ms per
   * slot: the claim-ahead drops to 0, below what the fetcher holds), 8 times over; in each round a
   * plain and a transactional job fail their first attempt, retried without delay. With claims of
   * one job (fetchBatchSize 1), a prefetch of 1, rounded-down claims above 64 jobs (3 slots,
   * prefetch 100, batch 128; prefetch 1000) and no prefetch at all, every job must run as often as
   * it should with no poll to find one a wake-up missed.
   */
  @ParameterizedTest(name = "concurrency {0}, prefetch {1}, fetchBatchSize {2}")
  @CsvSource({"1,1,1", "1,3,1", "1,8,100", "2,20,22", "3,100,128", "4,0,4", "2,1000,1000"})
  void everyJobRunsWithoutAPollWhileTheMeanSlotTimeSwings(
      int concurrency, int prefetch, int fetchBatchSize) throws Exception {
    String schema = "cab_swing_" + concurrency + "_" + prefetch + "_" + fetchBatchSize;
    Database db = db(concurrency + 4);
    JobQueue q =
        track(
            worker(db, schema, "swing", concurrency)
                .prefetch(prefetch)
                .fetchBatchSize(fetchBatchSize)
                .pollInterval(NO_POLL)
                .build());
    q.migrate();
    db.useTx(tx -> tx.update("create table " + schema + ".tx_row (n int primary key)"));
    List<Object> args = new ArrayList<>();
    int n = 0;
    for (int round = 0; round < 8; round++) {
      for (int i = 0; i < 40; i++) {
        args.add(new Var(n++, 0, false));
      }
      for (int i = 0; i < 3; i++) {
        args.add(new Var(n++, 35, false));
      }
      args.add(new Var(n++, 0, true));
      args.add(new VarTx(n++, 0, true));
      args.add(new VarTx(n++, 20, false));
    }
    q.enqueueAll(args, EnqueueOptions.defaults());
    q.start();
    awaitProgress(
        "jobs completed (concurrency "
            + concurrency
            + ", prefetch "
            + prefetch
            + ", fetchBatchSize "
            + fetchBatchSize
            + ")",
        () -> count(db, schema, "state = 'completed'"),
        args.size());
    for (Object a : args) {
      int number = a instanceof Var v ? v.n() : ((VarTx) a).n();
      boolean failFirst = a instanceof Var v ? v.failFirst() : ((VarTx) a).failFirst();
      assertThat(runs.get(number)).as("runs of %s", a).hasValue(failFirst ? 2 : 1);
    }
    assertThat(maxActive.get()).as("most handlers at once").isLessThanOrEqualTo(concurrency);
    assertThat(rows(db, schema + ".tx_row"))
        .as("rows of the transactional jobs")
        .isEqualTo(args.stream().filter(a -> a instanceof VarTx).count());
  }

  /**
   * Slow handlers (a first job of 300 ms) make the claim-ahead 0, so a claim takes the free slot
   * alone: one job of a backlog of two, a full claim after which the next starts at the claim
   * cursor. A job of a better priority enqueued then sits behind the cursor; its enqueue woke the
   * fetcher while the slot was busy. When the slot frees, the claim from the cursor takes the
   * backlog's second job; when that one frees it, the claim from the cursor comes short (nothing
   * after it) and the fetcher waits for a wake-up or the poll, with the urgent job available and
   * the slot free (all within the second after the claim from the head that took job 1: on a
   * machine slower than that the claim is from the head and finds it). EnqueueOptions.priority
   * promises such a job waits at most about a second more than with strict ordering, and the poll
   * is documented as the fallback for a lost notification. With a prefetch and no bound (before the
   * claim-ahead was bounded) the claims asked for more than the backlog held, came short, and never
   * left the cursor set; without a prefetch the same happens as here.
   */
  @ParameterizedTest(name = "prefetch {0}")
  @CsvSource({"0", "8"})
  void aJobOfABetterPriorityIsClaimedWhenTheBacklogAfterTheCursorRunsOut(int prefetch)
      throws Exception {
    String schema = "cab_cursor_" + prefetch;
    Database db = db(6);
    JobQueue q =
        track(
            worker(db, schema, "cursor", 1)
                .prefetch(prefetch)
                .fetchBatchSize(prefetch + 1)
                .pollInterval(NO_POLL)
                .build());
    q.migrate();
    q.start();
    long warmUp = q.enqueue(new Var(0, 300, false)).id();
    await("the 300 ms job completed", () -> state(q, warmUp) == JobState.COMPLETED);
    List<Long> backlog =
        q.enqueueAll(List.of(new Hold(1), new Hold(2)), EnqueueOptions.defaults().priority(1));
    await("job 1 of the backlog started", () -> started.contains(1), () -> started);
    long urgent = q.enqueue(new Hold(3), EnqueueOptions.defaults().priority(0)).id();
    release.countDown();
    await(
        "the backlog and the urgent job completed",
        () ->
            state(q, backlog.get(1)) == JobState.COMPLETED
                && state(q, urgent) == JobState.COMPLETED,
        () ->
            "backlog "
                + state(q, backlog.get(0))
                + ", "
                + state(q, backlog.get(1))
                + ", urgent job "
                + state(q, urgent)
                + ", handlers started "
                + started);
  }

  /**
   * The first claim (no handler finished yet) takes the whole prefetch; its prefetched jobs are
   * cancelled and end without running, the running one then finishes slow (the claim-ahead drops to
   * 0), and the fetcher's accounting of what it holds must let it claim each later job.
   */
  @Test
  void afterItsPrefetchedJobsAreCancelledAWorkerClaimsEachLaterJob() throws Exception {
    String schema = "cab_cancel";
    Database db = db(6);
    JobQueue q =
        track(
            worker(db, schema, "cancel", 1)
                .prefetch(4)
                .fetchBatchSize(5)
                .pollInterval(NO_POLL)
                .build());
    q.migrate();
    List<Object> first = new ArrayList<>();
    first.add(new Hold(1));
    IntStream.range(2, 6).forEach(i -> first.add(new Var(i, 0, false)));
    List<Long> ids = q.enqueueAll(first, EnqueueOptions.defaults());
    q.start();
    await(
        "job 1 runs and 4 are prefetched",
        () -> started.contains(1) && count(db, schema, "state = 'running'") == 5,
        () -> "started " + started + ", running " + count(db, schema, "state = 'running'"));
    for (long id : ids.subList(1, 5)) {
      assertThat(q.cancel(id)).as("cancel of prefetched job %d", id).isTrue();
    }
    await(
        "the 4 prefetched jobs cancelled",
        () -> count(db, schema, "state = 'cancelled'") == 4,
        () -> "cancelled " + count(db, schema, "state = 'cancelled'"));
    release.countDown();
    await("job 1 completed", () -> state(q, ids.get(0)) == JobState.COMPLETED);
    for (int i = 0; i < 6; i++) {
      q.enqueue(new Var(10 + i, 0, false)); // one at a time: each wakes the fetcher
    }
    awaitProgress("jobs completed", () -> count(db, schema, "state = 'completed'"), 7);
    assertThat(runs.keySet())
        .as("handlers that ran")
        .containsExactlyInAnyOrder(10, 11, 12, 13, 14, 15);
    assertThat(count(db, schema, "state = 'running'")).as("jobs still running").isZero();
  }

  /**
   * The claim-ahead is per queue and run level: level 0's handlers are slow (a job of 300 ms: its
   * claim-ahead is 0), while jobs of {@code queue.call} made inside units run at level 1, whose
   * fetcher has no finished job yet and claims its whole prefetch ahead of its one slot (3 jobs
   * behind one that blocks). Then every call returns.
   */
  @Test
  void callsFromUnitsRunAtALevelWithAClaimAheadOfItsOwn() throws Exception {
    String schema = "cab_levels";
    Database db = db(8);
    JobQueue q =
        track(
            worker(db, schema, "levels", 1)
                .prefetch(4)
                .fetchBatchSize(5)
                .pollInterval(NO_POLL)
                .build());
    q.migrate();
    q.start();
    long slow = q.enqueue(new Var(0, 300, false)).id();
    await("the 300 ms job of level 0 completed", () -> state(q, slow) == JobState.COMPLETED);
    List<Future<Object>> calls = new ArrayList<>();
    try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      calls.add(callers.submit(() -> db.inTx(tx -> q.call(new Hold(1), Duration.ofSeconds(120)))));
      await("the first call's job started", () -> started.contains(1), () -> started);
      for (int n = 2; n <= 4; n++) {
        Hold args = new Hold(n);
        calls.add(callers.submit(() -> db.inTx(tx -> q.call(args, Duration.ofSeconds(120)))));
      }
      await(
          "4 jobs of level 1 claimed: 1 running, 3 prefetched",
          () -> count(db, schema, "run_level = 1 and state = 'running'") == 4,
          () ->
              "jobs of level 1 running "
                  + count(db, schema, "run_level = 1 and state = 'running'")
                  + ", handlers started "
                  + started);
      assertThat(started).as("handlers started while job 1 holds the slot").containsExactly(1);
      release.countDown();
      for (Future<Object> call : calls) {
        assertThat(call.get()).isNull();
      }
    }
    assertThat(started).containsExactlyInAnyOrder(1, 2, 3, 4);
    assertThat(count(db, schema, "run_level = 1 and state = 'completed'")).isEqualTo(4);
  }

  /**
   * Three instances with the README's throughput setting (prefetch 7 × concurrency, fetchBatchSize
   * 8 × concurrency), handlers of 0, 5 and 30 ms, one instance stopped half-way (its prefetched
   * jobs handed back): every job's handler runs once, each job completes in its first attempt.
   */
  @Test
  void threeInstancesWithTheThroughputSettingRunEveryJobOnceThoughOneStopsHalfWay()
      throws Exception {
    String schema = "cab_once";
    int jobs = 900;
    List<JobQueue> instances = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Database db = db(10);
      String name = "instance-" + i;
      instances.add(
          QueueFixture.builder(pg, db, schema)
              .owner(name)
              .queue("default", 4)
              .prefetch(28)
              .fetchBatchSize(32)
              .handleInTx(
                  "varTx",
                  VarTx.class,
                  (tx, job) -> {
                    runs.computeIfAbsent(job.args().n(), k -> new AtomicInteger())
                        .incrementAndGet();
                    Thread.sleep(job.args().ms());
                    tx.update(
                        "insert into " + schema + ".done values (?, ?)", job.args().n(), name);
                    return null;
                  })
              .build());
    }
    queues.addAll(instances);
    Database db = dbs.getFirst();
    instances.getFirst().migrate();
    db.useTx(tx -> tx.update("create table " + schema + ".done (n int not null, worker text)"));
    instances.forEach(JobQueue::start);
    List<VarTx> args = new ArrayList<>();
    for (int n = 0; n < jobs; n++) {
      args.add(new VarTx(n, n % 10 == 0 ? 30 : n % 3 == 0 ? 5 : 0, false));
    }
    instances.get(1).enqueueAll(args, EnqueueOptions.defaults());
    awaitProgress("jobs completed", () -> count(db, schema, "state = 'completed'"), jobs / 3);
    instances.getFirst().stop(Duration.ofSeconds(10));
    awaitProgress("jobs completed", () -> count(db, schema, "state = 'completed'"), jobs);
    assertThat(runs).as("jobs whose handler ran").hasSize(jobs);
    assertThat(runs.values()).as("runs per job").allMatch(r -> r.get() == 1);
    assertThat(rows(db, schema + ".done")).as("rows").isEqualTo(jobs);
    assertThat(count(db, schema, "attempt <> 1 or errors <> '[]'"))
        .as("jobs with another attempt than the first, or an error")
        .isZero();
  }

  private Database db(int poolSize) {
    Database db = QueueFixture.db(pg, poolSize);
    dbs.add(db);
    return db;
  }

  /** A builder of a worker of queue "default" with the kinds {@link Var}, {@link VarTx}, Hold. */
  private JobQueue.Builder worker(Database db, String schema, String owner, int concurrency) {
    return QueueFixture.builder(pg, db, schema)
        .owner(owner)
        .queue("default", concurrency)
        .handle(
            "var",
            Var.class,
            job -> {
              enter(job.args().n());
              try {
                Thread.sleep(job.args().ms());
                if (job.args().failFirst() && job.attempt() == 1) {
                  throw new IllegalStateException("fails its first attempt on purpose");
                }
                return null;
              } finally {
                active.decrementAndGet();
              }
            })
        .handleInTx(
            "varTx",
            VarTx.class,
            (tx, job) -> {
              enter(job.args().n());
              try {
                Thread.sleep(job.args().ms());
                tx.update("insert into " + schema + ".tx_row values (?)", job.args().n());
                if (job.args().failFirst() && job.attempt() == 1) {
                  throw new IllegalStateException("fails its first attempt on purpose");
                }
                return null;
              } finally {
                active.decrementAndGet();
              }
            })
        .handleInTx(
            "hold",
            Hold.class,
            (tx, job) -> {
              started.add(job.args().n());
              if (job.args().n() == 1) {
                release.await();
              } else {
                Thread.sleep(50); // an input: its fetcher is waiting for a wake-up when it ends
              }
              return null;
            });
  }

  private static void enter(int n) {
    runs.computeIfAbsent(n, k -> new AtomicInteger()).incrementAndGet();
    maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
  }

  private JobQueue track(JobQueue q) {
    queues.add(q);
    return q;
  }

  private static JobState state(JobQueue q, long id) {
    return QueueFixture.state(q, id);
  }

  /** Jobs of the queue in {@code schema} matching {@code where}. */
  private static long count(Database db, String schema, String where) {
    return rows(db, schema + ".job where " + where);
  }

  /** Rows of {@code table} (which may carry a where clause). */
  private static long rows(Database db, String table) {
    return db.inTx(
        tx -> tx.queryOne("select count(*) from " + table, rs -> rs.getLong(1)).orElseThrow());
  }
}
