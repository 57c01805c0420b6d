package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.LogCapture;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every failed attempt of a job is logged as a WARN when it is recorded, not only the last one: a
 * job failing at each attempt with the default backoff (up to an hour between attempts, 20
 * attempts) showed nothing in the log for hours (newcomer review, session 16).
 */
@TxguardTest(queue = false)
class FailedAttemptLogIT {
  @Injected static TestDatabase pg;

  record Invoice(int order) {}

  static Database db;
  static JobQueue queue;

  @BeforeAll
  static void setUp() throws Exception {
    db = QueueFixture.db(pg, 4);
    queue =
        QueueFixture.builder(pg, db, "failed_attempt_log")
            .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(10))
            .handle(
                "send-invoice",
                Invoice.class,
                job -> {
                  throw new IllegalStateException("no invoice address for order " + job.args());
                })
            .queue("default", 1)
            .build();
    QueueFixture.start(queue);
  }

  @AfterAll
  static void tearDown() {
    QueueFixture.stop(queue, db);
  }

  @Test
  void eachFailedAttemptIsAWarningThatSaysWhenTheJobRunsAgain() throws Exception {
    LogCapture capture = LogCapture.start();
    String log;
    long id;
    try {
      id = queue.enqueue(new Invoice(7), EnqueueOptions.defaults().maxAttempts(3)).id();
      await(
          "the job failed after its 3 attempts",
          () -> QueueFixture.state(queue, id) == JobState.FAILED);
    } finally {
      log = capture.stop();
    }
    List<String> lines = log.lines().filter(l -> l.contains("job " + id + " (")).toList();
    for (int attempt = 1; attempt <= 2; attempt++) {
      String prefix = "job " + id + " (send-invoice on default, attempt " + attempt + ",";
      assertThat(lines)
          .as("the log lines of job %d", id)
          .filteredOn(l -> l.contains(prefix))
          .singleElement()
          .satisfies(
              l ->
                  assertThat(l)
                      .contains("WARN")
                      .contains("failed (at most 3 attempts), runs again at ")
                      .contains("no invoice address for order Invoice[order=7]"));
    }
    assertThat(lines)
        .filteredOn(l -> l.contains("attempt 3,"))
        .singleElement()
        .satisfies(l -> assertThat(l).contains("WARN").contains("ended as FAILED"));
  }
}
