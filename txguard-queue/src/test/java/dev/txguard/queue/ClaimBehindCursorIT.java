package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * While a backlog keeps every claim full, claims start after the previous claim's last job (the
 * claim cursor) instead of walking the claimed jobs' dead index entries; a job that becomes
 * available behind the cursor, here one of a better priority, is still claimed while the backlog
 * lasts (a claim from the head at least once a second), not when the backlog runs out.
 */
@TxguardTest(queue = false)
class ClaimBehindCursorIT {
  @Injected static TestDatabase pg;

  record Bulk(int n) {}

  record Urgent(String why) {}

  static Database db;
  static JobQueue queue;
  static final AtomicLong bulkDone = new AtomicLong();
  static final AtomicLong bulkEnqueued = new AtomicLong();
  static final List<Long> backlogWhenUrgentRan = new ArrayList<>();

  @BeforeAll
  static void setUp() {
    db = QueueFixture.db(pg, 6);
    queue =
        QueueFixture.builder(pg, db, "behindcursor")
            .queue("default", 2)
            .prefetch(4)
            .fetchBatchSize(4)
            .handle(
                "bulk",
                Bulk.class,
                job -> {
                  bulkDone.incrementAndGet();
                  return null;
                })
            .handle(
                "urgent",
                Urgent.class,
                job -> {
                  synchronized (backlogWhenUrgentRan) {
                    backlogWhenUrgentRan.add(bulkEnqueued.get() - bulkDone.get());
                  }
                  return null;
                })
            .build();
    queue.migrate();
  }

  @AfterAll
  static void tearDown() {
    QueueFixture.stop(queue, db);
  }

  private static void enqueueBulk(int count) {
    List<Bulk> jobs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      jobs.add(new Bulk(i));
    }
    bulkEnqueued.addAndGet(count);
    queue.enqueueAll(jobs, EnqueueOptions.defaults().priority(5));
  }

  @Test
  void aBetterPriorityJobEnqueuedBehindTheCursorRunsWhileTheBacklogLasts() throws Exception {
    enqueueBulk(2_000);
    queue.start();
    await("the workers to take part of the backlog", () -> bulkDone.get() >= 100, bulkDone::get);
    queue.enqueue(new Urgent("behind the cursor"), EnqueueOptions.defaults().priority(0));
    // keep the backlog deep, so that every claim stays full; the urgent job must not wait for it
    await(
        "the urgent job to run while the backlog lasts",
        () -> {
          if (bulkEnqueued.get() - bulkDone.get() < 1_000) {
            enqueueBulk(1_000);
          }
          synchronized (backlogWhenUrgentRan) {
            return !backlogWhenUrgentRan.isEmpty();
          }
        },
        () ->
            "bulk jobs run "
                + bulkDone.get()
                + " of "
                + bulkEnqueued.get()
                + "; "
                + queue.stats().count("default", JobState.AVAILABLE)
                + " job(s) available, the urgent one not run");
    synchronized (backlogWhenUrgentRan) {
      assertThat(backlogWhenUrgentRan).hasSize(1);
      assertThat(backlogWhenUrgentRan.getFirst())
          .as("bulk jobs not yet run when the urgent job ran")
          .isGreaterThan(100);
    }
    // every job completes once: none is lost or run twice by claims that start at the cursor
    await(
        "every job to complete",
        () -> queue.stats().count("default", JobState.COMPLETED) == bulkEnqueued.get() + 1,
        () ->
            "bulk jobs run "
                + bulkDone.get()
                + " of "
                + bulkEnqueued.get()
                + ", completed "
                + queue.stats().count("default", JobState.COMPLETED));
    assertThat(bulkDone.get()).isEqualTo(bulkEnqueued.get());
  }
}
