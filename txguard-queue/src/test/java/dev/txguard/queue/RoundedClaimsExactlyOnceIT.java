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

/**
 * Jobs at both ends of the priority range, worked at once by instances whose claims take very
 * different LIMITs: rooms above 64 that ClaimSize rounds down (a fetch batch of 1,000 with 150
 * slots, and with a prefetch of 600), and claims of one job (a fetch batch of 1). Every job runs
 * exactly once and none is left behind; the plain handlers' completions go in batches (their ids
 * bound as a long[]).
 */
@TxguardTest(queue = false)
class RoundedClaimsExactlyOnceIT {
  @Injected static TestDatabase pg;

  record Work(int n) {}

  static final int JOBS = 3_000;
  static final List<Database> dbs = new ArrayList<>();
  static final List<JobQueue> queues = new ArrayList<>();
  static final Map<Integer, AtomicInteger> runs = new ConcurrentHashMap<>();

  @BeforeAll
  static void setUp() throws Exception {
    int[][] shapes = {{150, 1000, 0}, {100, 1000, 600}, {4, 1, 0}};
    for (int[] shape : shapes) {
      Database db = QueueFixture.db(pg, 8);
      JobQueue q =
          QueueFixture.builder(pg, db, "rounded")
              .owner("worker-" + shape[0] + "-" + shape[1] + "-" + shape[2])
              .handle(
                  "work",
                  Work.class,
                  job -> {
                    runs.computeIfAbsent(job.args().n(), k -> new AtomicInteger())
                        .incrementAndGet();
                    return null;
                  })
              .queue("default", shape[0])
              .fetchBatchSize(shape[1])
              .prefetch(shape[2])
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
  void jobsClaimedWithRoundedAndSingleLimitsEachRunExactlyOnce() throws Exception {
    List<Work> batch = new ArrayList<>();
    int[] priorities = {0, 32767, 1, 32766};
    for (int n = 0; n < JOBS; n++) {
      batch.add(new Work(n));
      if (batch.size() == 250) {
        queues
            .get(n % 3)
            .enqueueAll(
                batch,
                EnqueueOptions.defaults().priority(priorities[(n / 250) % priorities.length]));
        batch.clear();
      }
    }
    queues.forEach(JobQueue::start);
    await(
        "all jobs completed",
        () -> queues.getFirst().stats().count("default", JobState.COMPLETED) == JOBS);
    assertThat(runs).hasSize(JOBS);
    assertThat(runs.values()).allMatch(c -> c.get() == 1);
    assertThat(
            pg.queryLong("select count(*) from rounded.job where attempt <> 1 or errors <> '[]'"))
        .isZero();
  }
}
