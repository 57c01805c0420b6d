package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static dev.txguard.queue.QueueFixture.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A finished attempt wakes its fetcher when that may find work: while jobs wait for a free slot
 * (the fetcher's last claim was bounded by its free slots), and after a failure (a retry without
 * delay is available at once). With polls an hour apart, every job here runs only through those
 * wake-ups. (That a finished attempt whose fetcher found every available job does not wake it is
 * counted in OneLevelWakeIT.)
 */
@TxguardTest(queue = false)
class FinishedAttemptWakeIT {
  @Injected static TestDatabase pg;

  record Greet(String name) {}

  record Flaky(String name) {}

  static final String SCHEMA = "finishwake";

  static Database db;
  static JobQueue queue;

  @BeforeAll
  static void setUp() {
    db = QueueFixture.db(pg, 4);
    queue =
        QueueFixture.builder(pg, db, SCHEMA) // retries without delay
            .pollInterval(Duration.ofHours(1))
            .handle("greet", Greet.class, job -> "hello " + job.args().name())
            .handle(
                "flaky",
                Flaky.class,
                job -> {
                  if (job.attempt() == 1) {
                    throw new IllegalStateException("first attempt fails");
                  }
                  return "hello again " + job.args().name();
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
  void jobsWaitingForTheOnlySlotRunOneAfterAnother() throws Exception {
    List<Greet> args = IntStream.range(0, 6).mapToObj(i -> new Greet("n" + i)).toList();
    List<Long> ids = queue.enqueueAll(args, EnqueueOptions.defaults());
    QueueFixture.awaitProgress(
        "the jobs enqueued together complete through the one slot",
        () -> ids.stream().filter(id -> state(queue, id) == JobState.COMPLETED).count(),
        ids.size());
  }

  @Test
  void aFailedAttemptsRetryWithoutDelayRunsAtOnce() throws Exception {
    long id = queue.enqueue(new Flaky("twice")).id();
    await(
        "the job fails once and its retry, available at once, completes",
        () -> state(queue, id) == JobState.COMPLETED,
        () -> queue.find(id).orElseThrow());
    assertThat(queue.find(id).orElseThrow().attempt()).as("attempts").isEqualTo(2);
  }
}
