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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Leases and rescue: a worker that dies mid-job has its job rescued after the lease and run once
 * more, its late completion is refused, and leadership moves to a live process. Regression for jobs
 * stuck "running" forever and rescuers overwriting completed jobs.
 */
@TxguardTest(queue = false)
class RescueIT {
  @Injected static TestDatabase pg;

  record Charge(int order) {}

  static Database dbA;
  static Database dbB;
  static final List<JobQueue> queues = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void setUp() throws Exception {
    pg.execute(
        "create table charge (order_id int not null, attempt int not null, worker text not null)");
    dbA = QueueFixture.db(pg, 6);
    dbB = QueueFixture.db(pg, 6);
  }

  @AfterAll
  static void tearDown() {
    queues.forEach(q -> q.stop(Duration.ZERO));
    dbA.close();
    dbB.close();
  }

  /**
   * A queue whose handler writes a row and, while {@code gate} is closed, blocks before returning.
   */
  static JobQueue worker(
      Database db,
      String schema,
      String name,
      CountDownLatch started,
      CountDownLatch gate,
      RecordingListener listener) {
    JobQueue queue =
        QueueFixture.builder(pg, db, schema)
            .owner(name)
            .listener(listener)
            .leaseDuration(Duration.ofMillis(600))
            .handleInTx(
                "charge",
                Charge.class,
                (tx, job) -> {
                  tx.update(
                      "insert into charge values (?, ?, ?)",
                      job.args().order(),
                      job.attempt(),
                      name);
                  started.countDown();
                  gate.await();
                  return name;
                })
            .queue("default", 2)
            .build();
    queues.add(queue);
    return queue;
  }

  @Test
  void aKilledWorkersJobIsRescuedAndRunOnceMoreAndItsLateCompletionIsRefused() throws Exception {
    CountDownLatch aStarted = new CountDownLatch(1);
    CountDownLatch aGate = new CountDownLatch(1);
    RecordingListener aEvents = new RecordingListener();
    JobQueue a = worker(dbA, "rescue", "worker-a", aStarted, aGate, aEvents);
    a.migrate();
    a.start();
    await("a leads", a::isLeader);
    long id = a.enqueue(new Charge(1)).id();
    assertThat(aStarted.await(60, TimeUnit.SECONDS)).isTrue();
    assertThat(queueFind(a, id).leaseOwner()).contains("worker-a");

    // worker A "dies": no more heartbeats, its control connection (and leader lock) is gone, its
    // handler is stuck in its open transaction
    a.engine().abandon();

    RecordingListener bEvents = new RecordingListener();
    JobQueue b =
        worker(dbB, "rescue", "worker-b", new CountDownLatch(1), new CountDownLatch(0), bEvents);
    b.start();
    await("b takes over leadership", b::isLeader);
    await("the job is rescued and completed by b", () -> state(b, id) == JobState.COMPLETED);
    Job done = queueFind(b, id);
    assertThat(done.attempt()).isEqualTo(2);
    assertThat(done.resultJson()).hasValue("\"worker-b\"");
    assertThat(done.errors())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.attempt()).isEqualTo(1);
              assertThat(e.error()).contains("lease of worker-a expired");
            });
    assertThat(bEvents.events).contains("rescued " + id + "#1 AVAILABLE", "completed " + id + "#2");

    // the stale worker wakes up and tries to complete attempt 1: refused, its write rolled back
    aGate.countDown();
    await(
        "a's late completion is refused", () -> aEvents.events.contains("lease lost " + id + "#1"));
    assertThat(pg.queryLong("select count(*) from charge where order_id = 1")).isEqualTo(1);
    assertThat(pg.queryLong("select attempt from charge where order_id = 1")).isEqualTo(2);
    Job after = queueFind(b, id);
    assertThat(after.state()).isEqualTo(JobState.COMPLETED);
    assertThat(after.resultJson()).hasValue("\"worker-b\"");
    assertThat(after.errors()).hasSize(1);
    b.stop(Duration.ofSeconds(5));
  }

  @Test
  void aJobWhoseLeaseExpiresOnItsLastAttemptFails() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    RecordingListener events = new RecordingListener();
    JobQueue a = worker(dbA, "lastattempt", "worker-c", new CountDownLatch(1), gate, events);
    a.migrate();
    a.start();
    long id = a.enqueue(new Charge(2), EnqueueOptions.defaults().maxAttempts(1)).id();
    await("running", () -> state(a, id) == JobState.RUNNING);
    a.engine().abandon();
    JobQueue b =
        worker(
            dbB,
            "lastattempt",
            "worker-d",
            new CountDownLatch(1),
            new CountDownLatch(0),
            new RecordingListener());
    b.start();
    await("the rescue fails the job", () -> state(b, id) == JobState.FAILED);
    assertThat(queueFind(b, id).errors())
        .singleElement()
        .extracting(JobError::error)
        .asString()
        .contains("lease of worker-c expired");
    gate.countDown();
    await("stale completion refused", () -> events.events.contains("lease lost " + id + "#1"));
    assertThat(state(b, id)).isEqualTo(JobState.FAILED);
    assertThat(pg.queryLong("select count(*) from charge where order_id = 2")).isZero();
    b.stop(Duration.ofSeconds(5));
  }

  @Test
  void heartbeatsKeepALongJobRunningPastItsLeaseDuration() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch gate = new CountDownLatch(1);
    RecordingListener events = new RecordingListener();
    JobQueue a = worker(dbA, "heartbeat", "worker-e", started, gate, events);
    a.migrate();
    a.start();
    long id = a.enqueue(new Charge(3)).id();
    assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
    // several lease durations pass while the handler runs; the lease is extended each time
    java.time.Instant firstExpiry = queueFind(a, id).leaseExpiresAt().orElseThrow();
    await(
        "lease extended twice",
        () -> queueFind(a, id).leaseExpiresAt().orElseThrow().isAfter(firstExpiry.plusMillis(600)));
    assertThat(state(a, id)).isEqualTo(JobState.RUNNING);
    gate.countDown();
    await("completed", () -> state(a, id) == JobState.COMPLETED);
    assertThat(events.events).doesNotContain("rescued " + id + "#1 AVAILABLE");
    assertThat(queueFind(a, id).errors()).isEmpty();
    assertThat(a.stop(Duration.ofSeconds(5))).isTrue();
  }

  @Test
  void gracefulStopGivesRunningJobsBackAtOnceWithoutCountingTheAttempt() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    RecordingListener events = new RecordingListener();
    JobQueue a = worker(dbA, "stopping", "worker-f", started, never, events);
    a.migrate();
    a.start();
    long id = a.enqueue(new Charge(4)).id();
    assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
    assertThat(a.stop(Duration.ofMillis(100))).isFalse();
    Job given = queueFind(a, id);
    assertThat(given.state()).isIn(JobState.AVAILABLE, JobState.RUNNING);
    assertThat(given.errors()).isEmpty();
    assertThat(pg.queryLong("select count(*) from charge where order_id = 4")).isZero();

    JobQueue b =
        worker(
            dbB,
            "stopping",
            "worker-g",
            new CountDownLatch(1),
            new CountDownLatch(0),
            new RecordingListener());
    b.start();
    await("b runs the job", () -> state(b, id) == JobState.COMPLETED);
    Job done = queueFind(b, id);
    assertThat(done.attempt()).isEqualTo(1);
    assertThat(done.resultJson()).hasValue("\"worker-g\"");
    assertThat(done.errors()).isEmpty();
    assertThat(pg.queryLong("select count(*) from charge where order_id = 4")).isEqualTo(1);
    b.stop(Duration.ofSeconds(5));
  }

  private static Job queueFind(JobQueue q, long id) {
    return q.find(id).orElseThrow();
  }
}
