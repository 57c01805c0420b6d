package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static dev.txguard.queue.QueueFixture.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Enqueue joins the caller's unit: rolled back, no job; committed, the job runs. */
@TxguardTest(queue = false)
class TransactionalEnqueueIT {
  @Injected static TestDatabase pg;

  record Greet(String name) {}

  record Later(int n) {}

  static Database db;
  static JobQueue queue;
  static final Set<String> greeted = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void setUp() {
    db = QueueFixture.db(pg, 8);
    // a poll interval of an hour: a job enqueued after start runs only if NOTIFY woke the worker
    queue =
        QueueFixture.builder(pg, db, "enq")
            .pollInterval(Duration.ofHours(1))
            .handle(
                "greet",
                Greet.class,
                job -> greeted.add(job.args().name()) ? "hello " + job.args().name() : null)
            .declare("later", Later.class)
            .queue("default", 4)
            .build();
    assertThat(queue.migrate()).containsExactly(1, 2, 3);
    queue.start();
  }

  @AfterAll
  static void tearDown() {
    queue.stop(Duration.ofSeconds(5));
    db.close();
  }

  @Test
  void enqueueInAUnitThatRollsBackLeavesNoJob() throws Exception {
    long[] id = new long[1];
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx -> {
                      id[0] = queue.enqueue(tx, new Greet("rolled-back")).id();
                      throw new IllegalStateException("business rule failed after the enqueue");
                    }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(queue.find(id[0])).isEmpty();
    assertThat(pg.queryLong("select count(*) from enq.job where args->>'name' = 'rolled-back'"))
        .isZero();
    assertThat(greeted).doesNotContain("rolled-back");
  }

  @Test
  void enqueueInAUnitThatCommitsRunsTheJobWokenByNotify() throws Exception {
    long id =
        db.inTx(
            tx -> {
              long jobId = queue.enqueue(tx, new Greet("committed")).id();
              // not visible outside the unit before it commits
              assertThat(pg.queryLong("select count(*) from enq.job where id = " + jobId)).isZero();
              return jobId;
            });
    await("job runs", () -> state(queue, id) == JobState.COMPLETED);
    Job job = queue.find(id).orElseThrow();
    assertThat(job.resultJson()).contains("\"hello committed\"");
    assertThat(job.attempt()).isEqualTo(1);
    assertThat(job.leaseOwner()).isEmpty();
    assertThat(greeted).contains("committed");
  }

  @Test
  void enqueueOnItsOwnAndInBatches() throws Exception {
    Enqueued single = queue.enqueue(new Greet("single"));
    List<Greet> many = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      many.add(new Greet("batch-" + i));
    }
    List<Long> ids = queue.enqueueAll(many, EnqueueOptions.defaults().priority(3));
    assertThat(ids).hasSize(50).doesNotHaveDuplicates();
    await(
        "all run",
        () ->
            greeted.containsAll(many.stream().map(Greet::name).toList())
                && greeted.contains("single"));
    await("all completed", () -> ids.stream().allMatch(i -> state(queue, i) == JobState.COMPLETED));
    assertThat(state(queue, single.id())).isEqualTo(JobState.COMPLETED);
    assertThat(queue.find(ids.get(7)).orElseThrow().priority()).isEqualTo(3);
  }

  @Test
  void aSecondEnqueueWithTheSameUniqueKeyReturnsTheUnfinishedJob() {
    EnqueueOptions opts =
        EnqueueOptions.defaults().uniqueKey("later-1").runAt(Instant.now().plusSeconds(3600));
    Enqueued first = queue.enqueue(new Later(1), opts);
    Enqueued second = db.inTx(tx -> queue.enqueue(tx, new Later(2), opts));
    assertThat(first.existing()).isFalse();
    assertThat(first.state()).isEqualTo(JobState.SCHEDULED);
    assertThat(second.existing()).isTrue();
    assertThat(second.id()).isEqualTo(first.id());
    assertThat(queue.find(first.id()).orElseThrow().argsJson()).contains("1");
  }

  @Test
  void aJobScheduledForLaterWaitsAndTheStatsCountIt() {
    Enqueued e =
        queue.enqueue(
            new Later(9),
            EnqueueOptions.defaults().queue("elsewhere").runAt(Instant.now().plusSeconds(3600)));
    assertThat(e.state()).isEqualTo(JobState.SCHEDULED);
    QueueStats stats = queue.stats();
    assertThat(stats.count("elsewhere", JobState.SCHEDULED)).isEqualTo(1);
    assertThat(stats.total()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void concurrentMigrationsApplyEachVersionOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<Integer>>> results = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Database own = QueueFixture.db(pg, 1);
        JobQueue q = JobQueue.builder(own).schema("racing").build();
        Callable<List<Integer>> migrate =
            () -> {
              try {
                return q.migrate();
              } finally {
                own.close();
              }
            };
        results.add(pool.submit(migrate));
      }
      List<Integer> applied = new ArrayList<>();
      for (Future<List<Integer>> f : results) {
        applied.addAll(f.get(60, TimeUnit.SECONDS));
      }
      assertThat(applied).containsExactly(1, 2, 3);
      assertThat(pg.queryLong("select count(*) from racing.queue_migration")).isEqualTo(3);
    } finally {
      pool.shutdownNow();
    }
  }
}
