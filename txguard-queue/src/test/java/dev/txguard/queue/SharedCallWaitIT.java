package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, item 4: two calls waiting for the same job (one unique key) shared one wake-up signal,
 * and the first to wake lowered it: the other was woken only by the poll fallback. Here the poll
 * interval is a day and the calls' timeout ten minutes, so a waiter the job's end does not wake
 * sleeps until its timeout, far past the 60 s the test waits for both results.
 */
@TxguardTest(queue = false)
class SharedCallWaitIT {
  @Injected static TestDatabase pg;

  record Quote(int n) {}

  static final CountDownLatch release = new CountDownLatch(1);
  static Database db;
  static JobQueue queue;

  @BeforeAll
  static void setUp() throws Exception {
    db = QueueFixture.db(pg, 6);
    queue =
        QueueFixture.builder(pg, db, "shared_wait")
            .pollInterval(Duration.ofDays(1))
            .handle(
                "quote",
                Quote.class,
                job -> {
                  release.await();
                  return job.args().n() * 10;
                })
            .queue("default", 2)
            .build();
    QueueFixture.start(queue);
  }

  @AfterAll
  static void tearDown() {
    release.countDown();
    QueueFixture.stop(queue, db);
  }

  @Test
  void twoCallsWaitingForOneJobAreBothWokenByItsEndNotByThePollFallback() throws Exception {
    EnqueueOptions sameKey = EnqueueOptions.defaults().uniqueKey("quote-7");
    long id = queue.enqueue(new Quote(7), sameKey).id();
    await("the job running", () -> QueueFixture.state(queue, id) == JobState.RUNNING);
    ExecutorService callers = Executors.newFixedThreadPool(2);
    try {
      List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
      List<Future<Integer>> calls =
          List.of(
              callers.submit(() -> call(threads, sameKey)),
              callers.submit(() -> call(threads, sameKey)));
      await(
          "both calls waiting on their wake-up signals",
          () -> threads.size() == 2 && threads.stream().allMatch(SharedCallWaitIT::waitsOnSignal));

      release.countDown();

      for (Future<Integer> call : calls) {
        assertThat(call.get(60, TimeUnit.SECONDS)).isEqualTo(70);
      }
    } finally {
      callers.shutdownNow();
    }
  }

  private static Integer call(List<Thread> threads, EnqueueOptions options) {
    threads.add(Thread.currentThread());
    return queue.call(new Quote(7), Integer.class, options, Duration.ofMinutes(10));
  }

  private static boolean waitsOnSignal(Thread t) {
    return Arrays.stream(t.getStackTrace())
        .anyMatch(f -> f.getClassName().endsWith(".Signal") && f.getMethodName().equals("await"));
  }
}
