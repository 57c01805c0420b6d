package dev.txguard.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Transactions;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * @TxRetry under 8 threads of conflicting SERIALIZABLE read-modify-write updates of one row.
 */
@TxguardTest(queue = false)
@SpringBootTest(
    classes = TestApp.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = "txguard.queue.enabled=false")
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class RetryIT {
  static final int THREADS = 8;
  static final int CALLS = 25;

  @Injected static TestDatabase tdb;

  @Autowired TestApp.Counter counter;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    registry.add("txguard.url", () -> tdb.url());
    registry.add("txguard.username", () -> tdb.user());
    registry.add("txguard.password", () -> tdb.password());
  }

  @BeforeAll
  static void schema() throws Exception {
    tdb.execute(TestApp.SCHEMA);
  }

  @Test
  void aRetriedMethodCommitsOnceUnderEightConflictingThreads() throws Exception {
    // every thread's first call reads the row, then waits until all eight have read it: seven of
    // the eight updates must then fail with 40001, and be rerun whole by @TxRetry
    CountDownLatch allRead = new CountDownLatch(THREADS);
    counter.gate(
        () -> {
          if (Transactions.current().orElseThrow().attempt() == 1 && allRead.getCount() > 0) {
            allRead.countDown();
            allRead.await(30, TimeUnit.SECONDS);
          }
          return null;
        });
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<?>> runs = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      runs.add(
          pool.submit(
              () -> {
                for (int i = 0; i < CALLS; i++) {
                  counter.increment();
                }
                return null;
              }));
    }
    try {
      for (Future<?> run : runs) {
        try {
          run.get(120, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
          throw new AssertionError(
              "increments not done in 120 s: "
                  + counter.committed()
                  + " of "
                  + THREADS * CALLS
                  + " committed after "
                  + counter.attempts()
                  + " attempts",
              e);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    System.out.printf(
        "RetryIT: %d calls committed after %d attempts%n", counter.committed(), counter.attempts());
    assertThat(tdb.queryLong("select value from counter where id = 1")).isEqualTo(THREADS * CALLS);
    assertThat(counter.committed())
        .as("afterCommit ran once per committed call")
        .isEqualTo(THREADS * CALLS);
    assertThat(counter.attempts())
        .as("the first round's seven losers were retried")
        .isGreaterThanOrEqualTo(THREADS * CALLS + THREADS - 1);
  }
}
