package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Break-it tests of the claim cursor (brk11): a worker's claims without a backlog start a second of
 * run-at before the latest job of the best priority it took, so jobs that become available behind
 * that point must still be claimed, by a claim from the head. Each test streams jobs of a worse
 * priority (a job every few milliseconds: short claims from the cursor), with a poll of a day, so
 * that only wake-ups and the worker's own claims can take the job behind the cursor, and asserts
 * that it runs, once, while the stream still goes (the old code claimed from the head at every
 * wake-up, so each of these jobs ran at the stream's next wake-up). No timing is asserted: each
 * wait is bounded by {@link dev.txguard.test.Progress#STALL} and says how far it got.
 */
@TxguardTest(queue = false)
class ClaimCursorBreakIT {
  @Injected static TestDatabase pg;

  record Tick(int n) {}

  record Target(int n) {}

  /** A clock that runs with the system clock, shifted by an offset tests change. */
  static final class ShiftedClock extends Clock {
    private volatile Duration offset = Duration.ZERO;

    void shift(Duration by) {
      offset = offset.plus(by);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.now().plus(offset);
    }
  }

  /** Runs of the target jobs by their n, and the ticks done. */
  private final Map<Integer, AtomicInteger> targetRuns = new ConcurrentHashMap<>();

  private final AtomicLong ticksDone = new AtomicLong();

  /** A stream of priority-5 ticks, one every 5 ms, from a thread of its own. */
  private static final class Stream implements AutoCloseable {
    final AtomicBoolean on = new AtomicBoolean(true);
    final AtomicInteger enqueued = new AtomicInteger();
    final Thread thread;

    Stream(JobQueue queue) {
      thread =
          Thread.ofPlatform()
              .name("cursor-break-stream")
              .start(
                  () -> {
                    while (on.get()) {
                      queue.enqueue(
                          new Tick(enqueued.get()), EnqueueOptions.defaults().priority(5));
                      enqueued.incrementAndGet();
                      try {
                        Thread.sleep(5);
                      } catch (InterruptedException e) {
                        return;
                      }
                    }
                  });
    }

    @Override
    public void close() {
      on.set(false);
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private JobQueue.Builder builder(Database db, String schema) {
    return QueueFixture.builder(pg, db, schema)
        .queue("default", 4)
        .pollInterval(Duration.ofDays(1)) // only wake-ups and the worker's own claims
        .handle(
            "tick",
            Tick.class,
            job -> {
              ticksDone.incrementAndGet();
              return null;
            });
  }

  private JobQueue.Builder withTargets(JobQueue.Builder b, Consumer<JobContext<Target>> before) {
    return b.handle(
        "target",
        Target.class,
        job -> {
          before.accept(job);
          targetRuns.computeIfAbsent(job.args().n(), k -> new AtomicInteger()).incrementAndGet();
          return null;
        });
  }

  private boolean ran(int n) {
    AtomicInteger runs = targetRuns.get(n);
    return runs != null && runs.get() > 0;
  }

  /** Waits, while the stream goes, until target {@code n} ran; the failure says how far it got. */
  private void awaitTarget(String what, JobQueue queue, Stream stream, int n, long id)
      throws Exception {
    await(
        what + " to run while the stream lasts",
        () -> stream.on.get() && ran(n),
        () ->
            "target "
                + n
                + " (job "
                + id
                + ") is "
                + queue.find(id).map(j -> j.state() + ", attempt " + j.attempt()).orElse("gone")
                + "; ticks run "
                + ticksDone.get()
                + " of "
                + stream.enqueued.get());
  }

  /** After the stream stopped: every tick runs, and each target ran exactly once. */
  private void awaitAllOnce(JobQueue queue, Stream stream, int targets) throws Exception {
    stream.close();
    await(
        "every tick to run",
        () -> ticksDone.get() == stream.enqueued.get(),
        () -> "ticks run " + ticksDone.get() + " of " + stream.enqueued.get());
    await(
        "every job to complete",
        () -> queue.stats().count("default", JobState.COMPLETED) == stream.enqueued.get() + targets,
        () -> queue.stats().byState());
    assertThat(targetRuns).hasSize(targets);
    assertThat(targetRuns.values()).allMatch(r -> r.get() == 1);
  }

  private void awaitStreamRunning(Stream stream) throws Exception {
    await(
        "the worker to take part of the stream",
        () -> ticksDone.get() >= 100,
        () -> "ticks run " + ticksDone.get() + " of " + stream.enqueued.get());
  }

  @Test
  void betterPriorityJobsEnqueuedDuringAStreamRunWhileItLasts() throws Exception {
    try (Database db = QueueFixture.db(pg, 8)) {
      JobQueue queue = withTargets(builder(db, "cursor_brk_prio"), j -> {}).build();
      queue.migrate();
      queue.start();
      try (Stream stream = new Stream(queue)) {
        awaitStreamRunning(stream);
        for (int n = 0; n < 10; n++) {
          long id = queue.enqueue(new Target(n), EnqueueOptions.defaults().priority(n % 2)).id();
          awaitTarget("urgent job " + n, queue, stream, n, id);
          Thread.sleep(50);
        }
        awaitAllOnce(queue, stream, 10);
      } finally {
        queue.stop(Duration.ofSeconds(10));
      }
    }
  }

  @Test
  void jobsWhoseRunAtIsLongPastRunDuringAStream() throws Exception {
    try (Database db = QueueFixture.db(pg, 8)) {
      JobQueue queue = withTargets(builder(db, "cursor_brk_past"), j -> {}).build();
      queue.migrate();
      queue.start();
      try (Stream stream = new Stream(queue)) {
        awaitStreamRunning(stream);
        List<EnqueueOptions> options =
            List.of(
                EnqueueOptions.defaults().priority(5).runAt(Instant.parse("1970-01-01T00:00:00Z")),
                EnqueueOptions.defaults().priority(5).runAt(Instant.now().minusSeconds(2)),
                EnqueueOptions.defaults().priority(9).runAt(Instant.now().minusSeconds(3_600)),
                EnqueueOptions.defaults().priority(5).runAt(Instant.now().minusMillis(1_100)));
        for (int n = 0; n < options.size(); n++) {
          long id = queue.enqueue(new Target(n), options.get(n)).id();
          awaitTarget("a job run at " + options.get(n).runAt().orElseThrow(), queue, stream, n, id);
        }
        awaitAllOnce(queue, stream, options.size());
      } finally {
        queue.stop(Duration.ofSeconds(10));
      }
    }
  }

  @Test
  void zeroBackoffRetriesOfABetterPriorityRunDuringAStream() throws Exception {
    Map<Integer, AtomicInteger> attempts = new ConcurrentHashMap<>();
    try (Database db = QueueFixture.db(pg, 8)) {
      JobQueue queue =
          withTargets(
                  builder(db, "cursor_brk_retry"), // the fixture's retry backoff is zero
                  job -> {
                    if (attempts
                            .computeIfAbsent(job.args().n(), k -> new AtomicInteger())
                            .incrementAndGet()
                        < 3) {
                      throw new IllegalStateException("attempt " + job.attempt() + " fails");
                    }
                  })
              .build();
      queue.migrate();
      queue.start();
      try (Stream stream = new Stream(queue)) {
        awaitStreamRunning(stream);
        for (int n = 0; n < 5; n++) {
          long id = queue.enqueue(new Target(n), EnqueueOptions.defaults().priority(0)).id();
          awaitTarget("a job failing twice", queue, stream, n, id);
          assertThat(queue.find(id).orElseThrow().attempt()).isEqualTo(3);
        }
        awaitAllOnce(queue, stream, 5);
      } finally {
        queue.stop(Duration.ofSeconds(10));
      }
    }
  }

  @Test
  void promotedScheduledJobsRunDuringAStream() throws Exception {
    try (Database db = QueueFixture.db(pg, 8)) {
      JobQueue queue = withTargets(builder(db, "cursor_brk_promoted"), j -> {}).build();
      queue.migrate();
      queue.start();
      try (Stream stream = new Stream(queue)) {
        awaitStreamRunning(stream);
        List<Long> ids = new ArrayList<>();
        for (int n = 0; n < 6; n++) {
          ids.add(
              queue
                  .enqueue(
                      new Target(n),
                      EnqueueOptions.defaults()
                          .priority(n % 3 == 0 ? 0 : 5)
                          .runAt(Instant.now().plusMillis(300 + 400L * n)))
                  .id());
        }
        for (int n = 0; n < ids.size(); n++) {
          awaitTarget("scheduled job " + n, queue, stream, n, ids.get(n));
        }
        awaitAllOnce(queue, stream, ids.size());
      } finally {
        queue.stop(Duration.ofSeconds(10));
      }
    }
  }

  /**
   * An operator makes a job available by hand, without a notification: a scheduled job moved to run
   * at once, at a run-at long past or at -infinity (the head of its priority). Nothing wakes the
   * worker for it, but the stream's wake-ups keep the worker claiming.
   */
  @Test
  void jobsMadeAvailableByHandBehindTheCursorRunDuringAStream() throws Exception {
    try (Database db = QueueFixture.db(pg, 8)) {
      JobQueue queue = withTargets(builder(db, "cursor_brk_hand"), j -> {}).build();
      queue.migrate();
      queue.start();
      try (Stream stream = new Stream(queue)) {
        awaitStreamRunning(stream);
        String[] runAts = {"'-infinity'", "now() - interval '1 hour'", "'-infinity'"};
        int[] priorities = {5, 5, 9};
        for (int n = 0; n < runAts.length; n++) {
          long id =
              queue
                  .enqueue(
                      new Target(n),
                      EnqueueOptions.defaults()
                          .priority(priorities[n])
                          .runAt(Instant.parse("9999-01-01T00:00:00Z")))
                  .id();
          pg.execute(
              "update cursor_brk_hand.job set state = 'available', run_at = "
                  + runAts[n]
                  + " where id = "
                  + id);
          awaitTarget("a job made available by hand at " + runAts[n], queue, stream, n, id);
        }
        awaitAllOnce(queue, stream, runAts.length);
      } finally {
        queue.stop(Duration.ofSeconds(10));
      }
    }
  }

  /**
   * The job table emptied by hand (and its ids restarted) while the worker runs, and the queue's
   * clock set back an hour: every job enqueued after that has a run-at an hour behind the worker's
   * cursor.
   */
  @Test
  void afterTheTableIsEmptiedAndTheClockSetBackJobsRun() throws Exception {
    ShiftedClock clock = new ShiftedClock();
    try (Database db = QueueFixture.db(pg, 8)) {
      JobQueue queue = withTargets(builder(db, "cursor_brk_clock"), j -> {}).clock(clock).build();
      queue.migrate();
      queue.start();
      try {
        int before;
        try (Stream stream = new Stream(queue)) {
          awaitStreamRunning(stream);
          stream.close();
          before = stream.enqueued.get();
          await(
              "every tick of the first stream to run",
              () -> ticksDone.get() == before,
              () -> "ticks run " + ticksDone.get() + " of " + before);
        }
        await(
            "every tick of the first stream to complete",
            () -> queue.stats().count("default", JobState.COMPLETED) == before,
            () -> queue.stats().byState());
        pg.execute(
            "delete from cursor_brk_clock.job",
            "alter table cursor_brk_clock.job alter column id restart with 1");
        clock.shift(Duration.ofHours(-1));
        ticksDone.set(0);
        try (Stream stream = new Stream(queue)) {
          for (int n = 0; n < 5; n++) {
            long id =
                queue.enqueue(new Target(n), EnqueueOptions.defaults().priority(n % 2 * 5)).id();
            awaitTarget("a job enqueued an hour behind the cursor", queue, stream, n, id);
          }
          awaitStreamRunning(stream);
          awaitAllOnce(queue, stream, 5);
        }
      } finally {
        queue.stop(Duration.ofSeconds(10));
      }
    }
  }

  /** A running job cancelled during a stream ends cancelled; the stream goes on. */
  @Test
  void aRunningJobCancelledDuringAStreamEndsCancelled() throws Exception {
    AtomicBoolean started = new AtomicBoolean();
    try (Database db = QueueFixture.db(pg, 8)) {
      JobQueue queue =
          withTargets(
                  builder(db, "cursor_brk_cancel"),
                  job -> {
                    started.set(true);
                    while (!job.isCancelRequested()) {
                      try {
                        Thread.sleep(10);
                      } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                      }
                    }
                    throw new IllegalStateException("cancelled");
                  })
              .build();
      queue.migrate();
      queue.start();
      try (Stream stream = new Stream(queue)) {
        awaitStreamRunning(stream);
        long id = queue.enqueue(new Target(0), EnqueueOptions.defaults().priority(0)).id();
        await("the job to start", started::get, () -> queue.find(id).orElseThrow().state());
        assertThat(queue.cancel(id)).as("the running job asked to stop").isTrue();
        await(
            "the cancelled job to end cancelled",
            () -> queue.find(id).orElseThrow().state() == JobState.CANCELLED,
            () -> queue.find(id).orElseThrow());
        long mark = ticksDone.get();
        await(
            "the stream to go on",
            () -> ticksDone.get() >= mark + 50,
            () -> ticksDone.get() - mark + " of 50 ticks since the cancel");
        stream.close();
        await(
            "every tick to complete",
            () -> queue.stats().count("default", JobState.COMPLETED) == stream.enqueued.get(),
            () -> queue.stats().byState());
        assertThat(targetRuns).isEmpty(); // it never returned normally
      } finally {
        queue.stop(Duration.ofSeconds(10));
      }
    }
  }

  /**
   * Three workers on one schema take a stream of jobs of mixed priorities and run-ats (some long
   * past, some scheduled a moment ahead): each job runs exactly once.
   */
  @Test
  void threeWorkersOnOneSchemaRunEveryJobOfAMixedStreamOnce() throws Exception {
    Map<Integer, AtomicInteger> runs = new ConcurrentHashMap<>();
    List<Database> dbs = new ArrayList<>();
    List<JobQueue> queues = new ArrayList<>();
    try {
      for (int w = 0; w < 3; w++) {
        Database db = QueueFixture.db(pg, 6);
        dbs.add(db);
        queues.add(
            QueueFixture.builder(pg, db, "cursor_brk_three")
                .owner("worker-" + w)
                .queue("default", 3)
                .pollInterval(Duration.ofDays(1))
                .handle(
                    "target",
                    Target.class,
                    job -> {
                      runs.computeIfAbsent(job.args().n(), k -> new AtomicInteger())
                          .incrementAndGet();
                      return null;
                    })
                .build());
      }
      queues.getFirst().migrate();
      queues.forEach(JobQueue::start);
      int jobs = 1_500;
      for (int n = 0; n < jobs; n++) {
        EnqueueOptions o = EnqueueOptions.defaults().priority((n * 7) % 4);
        if (n % 10 == 3) {
          o = o.runAt(Instant.now().minusSeconds(5 + n % 50));
        } else if (n % 10 == 7) {
          o = o.runAt(Instant.now().plusMillis(200));
        }
        queues.get(n % 3).enqueue(new Target(n), o);
        if (n % 5 == 0) {
          Thread.sleep(2);
        }
      }
      QueueFixture.awaitProgress(
          "every job to run",
          () -> queues.getFirst().stats().count("default", JobState.COMPLETED),
          jobs);
      assertThat(runs).hasSize(jobs);
      assertThat(runs.values()).allMatch(r -> r.get() == 1);
      assertThat(
              pg.queryLong(
                  "select count(*) from cursor_brk_three.job where attempt <> 1 or errors <> '[]'"))
          .isZero();
    } finally {
      queues.forEach(q -> q.stop(Duration.ofSeconds(10)));
      dbs.forEach(Database::close);
    }
  }
}
