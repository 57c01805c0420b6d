package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Prefetch ({@link JobQueue.Builder#prefetch}): jobs claimed ahead of a free slot never run more
 * handlers at once than the queue's concurrency; a cancel request ends a prefetched job cancelled
 * at once, without running its handler and without waiting for a slot; stopping hands prefetched
 * jobs back to the queue with their attempt not counted.
 */
@TxguardTest(queue = false)
class PrefetchIT {
  @Injected static TestDatabase pg;

  record Hold(int n) {}

  private static final Set<Integer> started = ConcurrentHashMap.newKeySet();
  private static volatile CountDownLatch release = new CountDownLatch(1);

  /** Handlers of "hold" running now, and the most that ever ran at once. */
  private static final AtomicInteger active = new AtomicInteger();

  private static final AtomicInteger mostActive = new AtomicInteger();

  private Database db;
  private JobQueue queue;

  @BeforeEach
  void setUp() {
    started.clear();
    mostActive.set(0);
    release = new CountDownLatch(1);
    db = QueueFixture.db(pg, 8);
    queue =
        QueueFixture.builder(pg, db, "prefetch")
            .handle(
                "hold",
                Hold.class,
                job -> {
                  mostActive.accumulateAndGet(active.incrementAndGet(), Math::max);
                  try {
                    started.add(job.args().n());
                    release.await();
                    return null;
                  } finally {
                    active.decrementAndGet();
                  }
                })
            .queue("default", 2)
            .prefetch(3)
            .build();
    queue.migrate();
    db.useTx(tx -> tx.update("delete from prefetch.job"));
  }

  @AfterEach
  void tearDown() {
    release.countDown();
    QueueFixture.stop(queue, db);
  }

  /** Enqueues {@code n} jobs and waits until 2 run and 3 more are claimed by this process. */
  private List<Long> fillSlotsAndPrefetch(int n) throws Exception {
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(queue.enqueue(new Hold(i)).id());
    }
    queue.start();
    await(
        "2 handlers started and 3 more jobs claimed ahead",
        () -> started.size() == 2 && running() == 5,
        () -> "started " + started + ", running in the table " + running());
    return ids;
  }

  private long running() {
    return db.inTx(
        tx ->
            tx.queryOne(
                    "select count(*) from prefetch.job where state = 'running'",
                    rs -> rs.getLong(1))
                .orElseThrow());
  }

  @Test
  void prefetchedJobsWaitForASlot() throws Exception {
    fillSlotsAndPrefetch(6);
    release.countDown();
    await(
        "all 6 jobs completed",
        () ->
            db.inTx(
                    tx ->
                        tx.queryOne(
                                "select count(*) from prefetch.job where state = 'completed'",
                                rs -> rs.getLong(1))
                            .orElseThrow())
                == 6,
        () -> "started " + started);
    assertThat(started).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5);
    assertThat(mostActive.get()).as("handlers that ran at once, concurrency 2").isEqualTo(2);
  }

  @Test
  void aCancelledPrefetchedJobEndsCancelledWithoutRunningOrWaitingForASlot() throws Exception {
    List<Long> ids = fillSlotsAndPrefetch(5);
    long prefetched =
        ids.stream().filter(id -> !started.contains(ids.indexOf(id))).findFirst().orElseThrow();
    assertThat(queue.cancel(prefetched)).isTrue();
    // both slots stay busy (release is not counted down): the job ends without one
    await(
        "the prefetched job " + prefetched + " ended cancelled",
        () -> QueueFixture.state(queue, prefetched) == JobState.CANCELLED,
        () -> "state " + QueueFixture.state(queue, prefetched) + ", started " + started);
    assertThat(started).doesNotContain(ids.indexOf(prefetched)).hasSize(2);
    assertThat(queue.find(prefetched).orElseThrow().errors().get(0).error())
        .contains("cancel was requested")
        .contains("before it started");
  }

  @Test
  void stopHandsPrefetchedJobsBackWithoutCountingAnAttempt() throws Exception {
    List<Long> ids = fillSlotsAndPrefetch(5);
    // the two running handlers never finish: stop gives their leases up after its wait, and the
    // three prefetched jobs back at once
    queue.stop(Duration.ofMillis(500));
    assertThat(started).hasSize(2);
    for (long id : ids) {
      Job job = queue.find(id).orElseThrow();
      assertThat(job.state()).as("job %d", id).isEqualTo(JobState.AVAILABLE);
      assertThat(job.attempt()).as("attempts of job %d", id).isZero();
      assertThat(job.errors()).as("errors of job %d", id).isEmpty();
    }
  }

  record Import(int n) {}

  /**
   * The fault (newcomer run): a cancelled group's prefetched jobs all started at once, without
   * slots, and each opened its group lock's connection outside the pools; with a large prefetch
   * that took the server's last connections ("too many clients"). Run here under a role with a
   * connection limit: the prefetched jobs must end cancelled before opening anything.
   */
  @Test
  void cancellingAGroupsPrefetchedJobsOpensNoConnectionForThem() throws Exception {
    String role = "txguard_prefetch_limited";
    try {
      pg.execute(
          "do $$ begin if not exists (select from pg_roles where rolname = '"
              + role
              + "') then create role "
              + role
              + " login password 'limited' connection limit 8; end if; end $$",
          "grant all on database " + pg.name() + " to " + role,
          "grant all on schema prefetch to " + role,
          "grant all on all tables in schema prefetch to " + role,
          "grant all on all sequences in schema prefetch to " + role);
    } catch (SQLException e) {
      Assumptions.abort("needs a role with a connection limit: " + e.getMessage());
    }
    Database limited =
        Database.builder()
            .url(pg.url())
            .user(role)
            .password("limited")
            .connectionTimeout(Duration.ofSeconds(10))
            .poolSize(3)
            .build();
    JobQueue grouped =
        QueueFixture.builder(pg, limited, "prefetch")
            .handle(
                "import",
                Import.class,
                job -> {
                  started.add(job.args().n());
                  while (!job.isCancelRequested()) {
                    Thread.sleep(20);
                  }
                  throw new IllegalStateException("import stopped by cancel");
                })
            .queue("default", 1)
            .prefetch(19) // with the default fetchBatchSize of 20: one claim takes them all
            .build();
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ids.add(grouped.enqueue(new Import(i), EnqueueOptions.defaults().group("big")).id());
    }
    grouped.start();
    try {
      await(
          "1 import running and 19 claimed ahead",
          () -> started.size() == 1 && running() == 20,
          () -> "started " + started + ", running in the table " + running());
      // pool 3 + control connection + the running import's group lock: 5 of the role's 8
      CancelResult result = grouped.cancelGroup("big", Duration.ofSeconds(60));
      assertThat(result).isEqualTo(new CancelResult(0, 20, 0));
      assertThat(started).hasSize(1);
      for (long id : ids) {
        Job job = grouped.find(id).orElseThrow();
        assertThat(job.state()).as("job %d", id).isEqualTo(JobState.CANCELLED);
        if (!started.contains(ids.indexOf(id))) {
          assertThat(job.errors().get(job.errors().size() - 1).error())
              .as("why prefetched job %d ended", id)
              .contains("before it started");
        }
      }
    } finally {
      grouped.stop(Duration.ofSeconds(10));
      limited.close();
    }
  }
}
