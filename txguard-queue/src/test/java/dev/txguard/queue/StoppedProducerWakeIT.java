package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Newcomer review, session 17: a program that enqueued a job and ended at once (its queue closed,
 * then its database) ended before its queue sent the NOTIFY that wakes the other processes, which
 * found the job only at their next poll (5.5 s there). Stopping the queue now waits for that
 * NOTIFY. The worker here polls once a day, so only the NOTIFY can start the job in time.
 */
@TxguardTest(queue = false)
class StoppedProducerWakeIT {
  @Injected static TestDatabase pg;

  record Ping(String name) {}

  static final String SCHEMA = "stopped_producer";
  static final Set<String> ran = ConcurrentHashMap.newKeySet();
  static Database db;
  static JobQueue worker;

  @BeforeAll
  static void setUp() {
    db = QueueFixture.db(pg, 6);
    worker =
        QueueFixture.builder(pg, db, SCHEMA)
            .owner("worker")
            .pollInterval(Duration.ofDays(1))
            .handle("ping", Ping.class, job -> ran.add(job.args().name()))
            .queue("default", 2)
            .build();
    worker.migrate();
    QueueFixture.start(worker);
  }

  @AfterAll
  static void tearDown() {
    QueueFixture.stop(worker, db);
  }

  @Test
  void aProcessThatEnqueuesAndStopsAtOnceStillWakesTheOtherProcesses() throws Exception {
    for (int i = 0; i < 3; i++) {
      String name = "ping-" + i;
      try (Database producerDb = QueueFixture.db(pg, 2);
          JobQueue producer =
              JobQueue.builder(producerDb)
                  .schema(SCHEMA)
                  .owner("producer")
                  .declare("ping", Ping.class)
                  .build()) {
        producer.enqueue(new Ping(name));
      } // the queue closes first, then the database: the program ends here
      await(
          "the worker ran " + name + " of a producer that closed at once",
          () -> ran.contains(name),
          () -> "ran so far: " + ran);
    }
    assertThat(ran).containsExactlyInAnyOrder("ping-0", "ping-1", "ping-2");
  }
}
