package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** 10,000 jobs worked by three queue instances (each with its own pool) run exactly once. */
@TxguardTest(queue = false)
class ExactlyOnceIT {
  @Injected static TestDatabase pg;

  record Work(int n) {}

  static final int JOBS = 10_000;
  static final List<Database> dbs = new ArrayList<>();
  static final List<JobQueue> queues = new ArrayList<>();
  static final Map<Integer, AtomicInteger> runs = new ConcurrentHashMap<>();

  @BeforeAll
  static void setUp() throws Exception {
    pg.execute("create table done (n int not null, worker text not null)");
    for (int i = 0; i < 3; i++) {
      Database db = QueueFixture.db(pg, 12);
      String name = "worker-" + i;
      JobQueue q =
          QueueFixture.builder(pg, db, "once")
              .owner(name)
              .handleInTx(
                  "work",
                  Work.class,
                  (tx, job) -> {
                    runs.computeIfAbsent(job.args().n(), k -> new AtomicInteger())
                        .incrementAndGet();
                    tx.update("insert into done values (?, ?)", job.args().n(), name);
                    return null;
                  })
              .queue("default", 8)
              .fetchBatchSize(50)
              .build();
      dbs.add(db);
      queues.add(q);
    }
    queues.getFirst().migrate();
  }

  @AfterAll
  static void tearDown() {
    queues.forEach(q -> q.stop(Duration.ofSeconds(10)));
    dbs.forEach(Database::close);
  }

  @Test
  void tenThousandJobsOverThreeInstancesEachRunExactlyOnce() throws Exception {
    queues.forEach(JobQueue::start);
    List<Work> batch = new ArrayList<>();
    for (int n = 0; n < JOBS; n++) {
      batch.add(new Work(n));
      if (batch.size() == 1000) {
        queues.get(n % 3).enqueueAll(batch, EnqueueOptions.defaults());
        batch.clear();
      }
    }
    await(
        "all jobs completed",
        () -> queues.getFirst().stats().count("default", JobState.COMPLETED) == JOBS);
    assertThat(pg.queryLong("select count(*) from done")).isEqualTo(JOBS);
    assertThat(pg.queryLong("select count(distinct n) from done")).isEqualTo(JOBS);
    assertThat(runs).hasSize(JOBS);
    assertThat(runs.values()).allMatch(c -> c.get() == 1);
    QueueStats stats = queues.getFirst().stats();
    assertThat(stats.total()).isEqualTo(JOBS);
    assertThat(pg.queryLong("select count(*) from once.job where attempt <> 1 or errors <> '[]'"))
        .isZero();
    // every instance took part
    assertThat(pg.queryLong("select count(distinct worker) from done")).isEqualTo(3);
  }
}
