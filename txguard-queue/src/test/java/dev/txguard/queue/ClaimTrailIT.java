package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.Tx;
import dev.txguard.TxListener;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Without a backlog a worker's claims start a second of run-at before the latest job its previous
 * claim took (the claim cursor), not at the head of the claim order, where every job claimed since
 * the last VACUUM left an index entry. A job enqueued by a transaction that stayed open longer than
 * that second (its run-at is the transaction's start) becomes available behind the cursor; it must
 * still run when its commit's wake-up arrives, with no poll and no other job to claim.
 */
@TxguardTest(queue = false)
class ClaimTrailIT {
  @Injected static TestDatabase pg;

  record Tick(int n) {}

  record Late(String why) {}

  @Test
  void aJobOfATransactionOpenLongerThanTheTrailRunsOnItsWakeUpAlone() throws Exception {
    AtomicLong ticksDone = new AtomicLong();
    AtomicInteger lateRuns = new AtomicInteger();
    try (Database db = QueueFixture.db(pg, 6)) {
      JobQueue queue =
          QueueFixture.builder(pg, db, "claim_trail")
              .queue("default", 2)
              .pollInterval(Duration.ofDays(1)) // only wake-ups and the queue's own claims
              .handle(
                  "tick",
                  Tick.class,
                  job -> {
                    ticksDone.incrementAndGet();
                    return null;
                  })
              .handle(
                  "late",
                  Late.class,
                  job -> {
                    lateRuns.incrementAndGet();
                    return null;
                  })
              .build();
      queue.migrate();
      queue.start();
      try {
        AtomicBoolean streaming = new AtomicBoolean(true);
        AtomicInteger ticksEnqueued = new AtomicInteger();
        Thread producer =
            Thread.ofPlatform()
                .name("claim-trail-ticks")
                .start(
                    () -> {
                      while (streaming.get()) {
                        queue.enqueue(new Tick(ticksEnqueued.getAndIncrement()));
                        try {
                          Thread.sleep(10);
                        } catch (InterruptedException e) {
                          return;
                        }
                      }
                    });
        db.useTx(
            tx -> {
              queue.enqueue(tx, new Late("run-at is this transaction's start"));
              // the ticks claimed from now on carry a run-at more than the trail after it
              Thread.sleep(1_500);
              long mark = ticksDone.get();
              await(
                  "ticks enqueued 1.5 s after the late job's transaction began to run",
                  () -> ticksDone.get() >= mark + 20,
                  () -> ticksDone.get() - mark + " of 20 ticks run since the mark");
            });
        streaming.set(false);
        producer.join();
        await(
            "the late job to run on its commit's wake-up (no poll, no other job)",
            () -> lateRuns.get() == 1,
            () ->
                "late job runs "
                    + lateRuns.get()
                    + ", ticks run "
                    + ticksDone.get()
                    + " of "
                    + ticksEnqueued.get());
        await(
            "every tick to run",
            () -> ticksDone.get() == ticksEnqueued.get(),
            () -> "ticks run " + ticksDone.get() + " of " + ticksEnqueued.get());
        // a handler returns before its completion commits (a batch): wait for the rows
        await(
            "every job to be completed",
            () -> queue.stats().count("default", JobState.COMPLETED) == ticksEnqueued.get() + 1L,
            () ->
                queue.stats().count("default", JobState.COMPLETED)
                    + " completed of "
                    + (ticksEnqueued.get() + 1));
        assertThat(lateRuns).hasValue(1);
      } finally {
        queue.stop(Duration.ofSeconds(10));
      }
    }
  }

  @Test
  void atLightLoadEachJobCostsOneClaim() throws Exception {
    AtomicLong claims = new AtomicLong();
    AtomicInteger done = new AtomicInteger();
    try (Database db =
        Database.builder()
            .url(pg.url())
            .user(pg.user())
            .password(pg.password())
            .poolSize(6)
            .listener(
                new TxListener() {
                  @Override
                  public void onCommit(Tx tx, Duration elapsed) {
                    if (tx.name() != null && tx.name().startsWith("claim ")) {
                      claims.incrementAndGet();
                    }
                  }
                })
            .build()) {
      JobQueue queue =
          QueueFixture.builder(pg, db, "claim_light")
              .queue("default", 2)
              .pollInterval(Duration.ofDays(1)) // no poll's claim in the count
              .handle(
                  "tick",
                  Tick.class,
                  job -> {
                    done.incrementAndGet();
                    return null;
                  })
              .build();
      queue.migrate();
      queue.start();
      try {
        queue.enqueue(new Tick(-1)); // the start-up's claims are not counted
        await("the first tick to run", () -> done.get() == 1, done::get);
        long before = claims.get();
        int jobs = 15;
        for (int i = 0; i < jobs; i++) {
          queue.enqueue(new Tick(i));
          int ran = i + 2;
          await("tick " + i + " to run", () -> done.get() >= ran, done::get);
          // well past the gap after a claim from the head (20 times its duration, here a
          // millisecond or so), and within the second after which every claim is from the head
          Thread.sleep(300);
        }
        long used = claims.get() - before;
        assertThat(used)
            .as("claims for %d jobs enqueued one at a time, 300 ms apart", jobs)
            .isBetween((long) jobs, jobs + jobs / 2L);
      } finally {
        queue.stop(Duration.ofSeconds(10));
      }
    }
  }
}
