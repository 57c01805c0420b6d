package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A queue whose table was small when its statements' plans were cached, and then grew (a burst
 * after a quiet spell, a new queue, a table emptied by TRUNCATE): its claims must go on looking
 * their jobs up by key, not read the whole table for every claim until autovacuum next analyses it.
 * (With these statistics only the claim's plan fell into it; PlanLookupsIT checks the plans of the
 * batched completion and the heartbeat too, on smaller tables.) PostgreSQL keeps a prepared
 * statement's generic plan until an ANALYZE or VACUUM of the table invalidates it; autovacuum is
 * off for this table, so the plans made while it held 5,000 rows (of a queue no process serves,
 * analysed: the planner expects full batches) are the ones used after 200,000 more. Observed: the
 * rows read by sequential scans of the job table (pg_stat_user_tables.seq_tup_read) while 30 jobs
 * run one after another.
 */
@TxguardTest(queue = false)
class GrownTablePlanIT {
  private static final int FILLER = 200_000;

  @Injected static TestDatabase pg;

  record Step(int n) {}

  @Test
  void batchesStillLookTheirJobsUpByKeyAfterTheTableGrew() throws Exception {
    AtomicLong done = new AtomicLong();
    try (Database db = QueueFixture.db(pg, 3)) {
      JobQueue queue =
          QueueFixture.builder(pg, db, "grown_table")
              .queue("default", 16)
              .prefetch(112) // the README's advice for throughput: claims of up to 128 jobs
              .fetchBatchSize(128)
              .maintenanceInterval(Duration.ofHours(1)) // its statements scan nothing meanwhile
              .handle(
                  "step",
                  Step.class,
                  job -> {
                    done.incrementAndGet();
                    return null;
                  })
              .build();
      queue.migrate();
      // statistics taken while jobs waited (here 5,000 of a queue no process serves): the claim's
      // planner expects a full batch, and on a small table reading it whole looks cheapest
      pg.execute(
          "alter table grown_table.job set (autovacuum_enabled = false)",
          "insert into grown_table.job (kind, queue, args, state, max_attempts, run_at,"
              + " created_at) select 'step', 'other', '{\"n\": 0}', 'available', 1, now(), now()"
              + " from generate_series(1, 5000)",
          "analyze grown_table.job");
      queue.start();
      try {
        // a small table: each job is claimed and completed on its own, so that every pooled
        // connection runs the claim and the completion often enough (pgjdbc prepares a statement
        // on the server at its fifth run; PostgreSQL weighs a generic plan after five custom ones)
        runOneByOne(queue, done, 60);
        pg.execute(
            "insert into grown_table.job (kind, queue, args, state, max_attempts, run_at,"
                + " created_at, finalized_at, attempt) select 'step', 'default', '{\"n\": 0}',"
                + " 'completed', 1, now(), now(), now(), 1 from generate_series(1, "
                + FILLER
                + ")");
        long before = seqTuplesRead();
        runOneByOne(queue, done, 30);
        // a backend sends its statistics when it goes idle, or at most 10 s later when it sent
        // some less than a second before (PGSTAT_MIN_INTERVAL, PGSTAT_IDLE_INTERVAL): the count is
        // complete once it held still for longer than that
        long[] last = {seqTuplesRead(), System.nanoTime()};
        await(
            "the job table's scan count holds still for 12 s",
            () -> {
              Thread.sleep(1_000);
              long now = seqTuplesRead();
              if (now != last[0]) {
                last[0] = now;
                last[1] = System.nanoTime();
              }
              return System.nanoTime() - last[1] > Duration.ofSeconds(12).toNanos();
            },
            () ->
                "seq_tup_read "
                    + last[0]
                    + ", "
                    + (seqTuplesRead() - before)
                    + " since the growth");
        assertThat(seqTuplesRead() - before)
            .as(
                "rows of the %,d-row job table read by sequential scans while 30 jobs ran after it"
                    + " grew (each full scan reads all of them)",
                FILLER)
            .isLessThan(FILLER);
      } finally {
        queue.stop(Duration.ofSeconds(10));
      }
    }
  }

  private static void runOneByOne(JobQueue queue, AtomicLong done, int jobs) throws Exception {
    for (int i = 0; i < jobs; i++) {
      long target = done.get() + 1;
      queue.enqueue(new Step(i));
      await("job " + i + " runs", () -> done.get() >= target, done::get);
    }
  }

  private static long seqTuplesRead() throws Exception {
    return pg.queryLong(
        "select coalesce(seq_tup_read, 0) from pg_stat_user_tables"
            + " where schemaname = 'grown_table' and relname = 'job'");
  }
}
