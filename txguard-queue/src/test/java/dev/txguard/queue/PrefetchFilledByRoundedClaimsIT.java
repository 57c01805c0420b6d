package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.awaitProgress;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * A claim whose room is above 64 jobs is rounded down (ClaimSize: a room of 101 claims 96), and the
 * rest of that room must be claimed right after it, as ClaimSize promises: with a prefetch, the
 * next claim otherwise waits for room of half the prefetch, so a queue with one slot and a prefetch
 * of 100 stopped at 96 claimed jobs and never prefetched its last 5 while its one job ran (the same
 * shortfall broke PrefetchBreakIT: 896 of 900, 4,800 of 5,000).
 */
@TxguardTest(queue = false)
class PrefetchFilledByRoundedClaimsIT {
  @Injected static TestDatabase pg;

  record Hold(int n) {}

  @Test
  void aPrefetchAboveSixtyFourJobsIsFilledThoughItsClaimIsRoundedDown() throws Exception {
    int prefetch = 100;
    CountDownLatch release = new CountDownLatch(1);
    try (Database db = QueueFixture.db(pg, 4)) {
      JobQueue q =
          QueueFixture.builder(pg, db, "prefetch_rounded")
              .queue("default", 1)
              .prefetch(prefetch)
              .fetchBatchSize(1000)
              .handle(
                  "hold",
                  Hold.class,
                  job -> {
                    release.await();
                    return null;
                  })
              .build();
      q.migrate();
      List<Hold> args = new ArrayList<>();
      for (int i = 0; i < 2 * prefetch; i++) {
        args.add(new Hold(i));
      }
      q.enqueueAll(args, EnqueueOptions.defaults());
      q.start();
      try {
        awaitProgress(
            "the running job and the prefetch claimed",
            () -> running(db),
            prefetch + 1L); // the queue's capacity: its one slot and the prefetch
        assertThat(running(db)).isEqualTo(prefetch + 1L);
      } finally {
        release.countDown();
        q.stop(Duration.ofSeconds(10));
      }
    }
  }

  private static long running(Database db) {
    return db.inTx(
        tx ->
            tx.queryOne(
                    "select count(*) from prefetch_rounded.job where state = 'running'",
                    rs -> rs.getLong(1))
                .orElseThrow());
  }
}
