package dev.txguard.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Story 5: a unit pushes a job and waits for its result with one connection per pool. With
 * txguard's call the job runs one level up and every caller completes; the naive design (the job
 * runs on the pool its caller holds) times out.
 */
@TxguardTest(queue = false)
class CallIT {
  @Injected static TestDatabase pg;

  record Price(int n) {}

  record Doomed(int n) {}

  static final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeAll
  static void setUp() throws Exception {
    pg.execute("create table orders (n int primary key, price int not null)");
  }

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

  static JobQueue queue(Database db, String schema, boolean naive) {
    JobQueue.Builder b =
        QueueFixture.builder(pg, db, schema)
            .handleInTx(
                "price",
                Price.class,
                (tx, job) ->
                    tx.queryOne("select ?::int * 2", rs -> rs.getInt(1), job.args().n())
                        .orElseThrow())
            .handle(
                "doomed",
                Doomed.class,
                job -> {
                  throw new IllegalStateException("no price for " + job.args().n());
                })
            .queue("default", 4);
    JobQueue q = b.build();
    if (naive) {
      q.engine().runCallsAtCallerLevel();
    }
    q.migrate();
    q.start();
    closing.add(q);
    return q;
  }

  @Test
  void twentyUnitsCallingWithOneConnectionPerLevelAllCompleteWhileTheNaiveDesignTimesOut()
      throws Exception {
    Database db = poolOfOne();
    JobQueue queue = queue(db, "calls", false);
    long start = System.nanoTime();
    List<Future<Integer>> results = new ArrayList<>();
    try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 20; i++) {
        int n = i;
        results.add(
            callers.submit(
                () ->
                    db.inTx(
                        tx -> {
                          int price =
                              queue.call(new Price(n), Integer.class, Duration.ofSeconds(60));
                          tx.update("insert into orders values (?, ?)", n, price);
                          return price;
                        })));
      }
    }
    for (int i = 0; i < 20; i++) {
      assertThat(results.get(i).get()).isEqualTo(2 * i);
    }
    long levelsMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(pg.queryLong("select count(*) from orders")).isEqualTo(20);
    assertThat(
            pg.queryLong(
                "select count(*) from calls.job where run_level = 1 and state = 'completed'"))
        .isEqualTo(20);

    // the same code on the naive design: the job needs the level-0 connection its caller holds
    Database naiveDb = poolOfOne();
    JobQueue naive = queue(naiveDb, "naive_calls", true);
    long naiveStart = System.nanoTime();
    assertThatThrownBy(
            () ->
                naiveDb.inTx(
                    tx -> {
                      int price = naive.call(new Price(100), Integer.class, Duration.ofSeconds(2));
                      tx.update("insert into orders values (?, ?)", 100, price);
                      return price;
                    }))
        .isInstanceOfSatisfying(
            CallTimeoutException.class,
            e -> {
              assertThat(e.getMessage())
                  .startsWith(
                      "job " + e.jobId() + " (enqueued by call at level 0, running at level 0)")
                  .contains(
                      "did not end within PT2S",
                      "last seen available",
                      "cancel(" + e.jobId() + ")");
              // once the caller has let its connection go, the job runs: it was starved, not broken
              try {
                QueueFixture.await(
                    "the naive job runs after its caller gave up",
                    () -> QueueFixture.state(naive, e.jobId()) == JobState.COMPLETED);
              } catch (Exception x) {
                throw new AssertionError(x);
              }
            });
    long naiveMs = (System.nanoTime() - naiveStart) / 1_000_000;
    System.out.printf(
        "story 5, pool of one per level: 20 calls inside units completed in %d ms;"
            + " the naive design timed out (one call, 2 s timeout) and its job ran after %d ms%n",
        levelsMs, naiveMs);
    assertThat(pg.queryLong("select count(*) from orders where n = 100")).isZero();
  }

  @Test
  void aFailedJobGivesItsLastErrorAndOutsideAUnitTheJobRunsAtTheCallersLevel() throws Exception {
    Database db = QueueFixture.db(pg, 6);
    closing.add(db);
    JobQueue queue = queue(db, "calls_misc", false);
    assertThat(queue.call(new Price(21), Duration.ofSeconds(30))).isEqualTo(42);
    assertThatThrownBy(
            () ->
                queue.call(
                    new Doomed(7),
                    Object.class,
                    EnqueueOptions.defaults().maxAttempts(2),
                    Duration.ofSeconds(30)))
        .isInstanceOfSatisfying(
            JobFailedException.class,
            e -> {
              assertThat(e.state()).isEqualTo(JobState.FAILED);
              assertThat(e.lastError()).get().extracting(JobError::attempt).isEqualTo(2);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "job "
                          + e.jobId()
                          + " ended failed after attempt 2: java.lang.IllegalStateException: no price for 7");
            });
    assertThat(pg.queryLong("select count(*) from calls_misc.job where run_level = 0 and awaited"))
        .isEqualTo(2);
    assertThatThrownBy(() -> queue.call(new Price(1), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout of call must be positive, was PT0S");
  }
}
