package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.LogCapture;
import dev.txguard.test.Progress;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A race between an attempt's failure record and the heartbeat: the heartbeat's round took the
 * attempt among the running ones, the attempt then recorded its failure (the job retryable, its
 * lease token cleared), and the round found the job unfinished without its lease: it reported the
 * lease lost (a WARN) and interrupted the attempt's thread, which was still finishing its own
 * failure (the listener's {@code onRetried}, on that thread). Here the lease is 300 ms, so the
 * heartbeat runs every 100 ms, and {@code onRetried} waits until the heartbeat has extended the
 * lease of another running job twice: at least one whole round ran after the failure was recorded.
 */
@TxguardTest(queue = false)
class HeartbeatAfterFailureIT {
  @Injected static TestDatabase pg;

  record Fails(int n) {}

  record Keeper(int n) {}

  static final CountDownLatch releaseKeeper = new CountDownLatch(1);
  static final CountDownLatch retriedSeen = new CountDownLatch(1);
  static final AtomicReference<String> listenerOutcome = new AtomicReference<>();
  static volatile long keeperId;
  static Database db;
  static JobQueue queue;

  @BeforeAll
  static void setUp() throws Exception {
    db = QueueFixture.db(pg, 6);
    queue =
        QueueFixture.builder(pg, db, "beat_after_failure")
            .leaseDuration(Duration.ofMillis(300))
            .retryBackoff(Duration.ofHours(1), Duration.ofHours(1)) // retryable: unfinished
            .handle(
                "fails",
                Fails.class,
                job -> {
                  throw new IllegalStateException("the handler failed");
                })
            .handle(
                "keeper",
                Keeper.class,
                job -> {
                  releaseKeeper.await(60, TimeUnit.SECONDS);
                  return null;
                })
            .listener(
                new QueueListener() {
                  @Override
                  public void onRetried(JobEvent job, Throwable error, Instant nextRunAt) {
                    if (job.kind().equals("fails")) {
                      listenerOutcome.set(waitForTwoHeartbeats());
                      retriedSeen.countDown();
                    }
                  }
                })
            .queue("default", 2)
            .build();
    QueueFixture.start(queue);
  }

  @AfterAll
  static void tearDown() {
    releaseKeeper.countDown();
    QueueFixture.stop(queue, db);
  }

  /** On the failed attempt's thread: "ok", or how it was interrupted or gave up. */
  static String waitForTwoHeartbeats() {
    try {
      String first = leasedAt(keeperId);
      String[] seen = {first};
      int[] changes = {0};
      Progress.await(
          "two heartbeats of the keeper job after the failure was recorded",
          () -> {
            String now = leasedAt(keeperId);
            if (!now.equals(seen[0])) {
              seen[0] = now;
              changes[0]++;
            }
            return changes[0] >= 2;
          },
          () -> changes[0] + " heartbeats seen");
      return Thread.currentThread().isInterrupted() ? "interrupted (flag set)" : "ok";
    } catch (InterruptedException e) {
      return "interrupted while waiting: " + e;
    } catch (Exception | AssertionError e) {
      return "failed: " + e;
    }
  }

  static String leasedAt(long id) throws Exception {
    return String.valueOf(
        pg.query("select leased_at::text from beat_after_failure.job where id = " + id)
            .get(0)
            .get(0));
  }

  @Test
  void aHeartbeatAfterTheAttemptRecordedItsFailureReportsNoLostLeaseAndInterruptsNothing()
      throws Exception {
    keeperId = queue.enqueue(new Keeper(1)).id();
    await("the keeper job running", () -> QueueFixture.state(queue, keeperId) == JobState.RUNNING);
    LogCapture capture = LogCapture.start();
    String log;
    long failing = -1;
    try {
      failing = queue.enqueue(new Fails(1)).id();
      assertThat(retriedSeen.await(60, TimeUnit.SECONDS)).as("onRetried of the failure").isTrue();
      assertThat(listenerOutcome.get())
          .as("the failed attempt's thread after its record")
          .isEqualTo("ok");
      assertThat(QueueFixture.state(queue, failing)).isEqualTo(JobState.RETRYABLE);
    } finally {
      log = capture.stop();
      releaseKeeper.countDown();
    }
    // only the failing job's attempt: the keeper's 300 ms lease may really expire on a loaded
    // machine (a late heartbeat), and then its "lost its lease" is true (seen once in session 5)
    String failingJob = "job " + failing + " (";
    assertThat(log.lines().filter(l -> l.contains(failingJob)).toList())
        .as("the log of the failing job while its failure was recorded")
        .noneMatch(l -> l.contains("lost its lease"));
  }
}
