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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A listener that throws an {@link Error} is ignored like one throwing an exception: it ends
 * neither maintenance (which would keep leadership while nobody rescues) nor an attempt.
 */
@TxguardTest(queue = false)
class ListenerErrorIT {
  @Injected static TestDatabase pg;

  record Ping(int n) {}

  /** Throws an Error from every event, after noting it. */
  static final class ErrorListener implements QueueListener {
    final List<String> seen = new CopyOnWriteArrayList<>();

    private void fail(String event) {
      seen.add(event);
      throw new AssertionError("listener bug on " + event);
    }

    @Override
    public void onFetched(JobEvent job) {
      fail("fetched " + job.id());
    }

    @Override
    public void onCompleted(JobEvent job, Duration elapsed) {
      fail("completed " + job.id());
    }

    @Override
    public void onRescued(JobEvent job, JobState state) {
      fail("rescued " + job.id() + " " + state);
    }
  }

  static Database db;
  static JobQueue queue;
  static final ErrorListener listener = new ErrorListener();

  @BeforeAll
  static void setUp() {
    db = QueueFixture.db(pg, 8);
    queue =
        QueueFixture.builder(pg, db, "listeners")
            .listener(listener)
            .handle("ping", Ping.class, job -> job.args().n())
            .queue("default", 2)
            .build();
    QueueFixture.start(queue);
  }

  @AfterAll
  static void tearDown() {
    QueueFixture.stop(queue, db);
  }

  /** A job of a queue nobody works, as if its worker had died: running, its lease expired. */
  static long expiredJob() throws Exception {
    long id = queue.enqueue(new Ping(0), EnqueueOptions.defaults().queue("orphans")).id();
    pg.execute(
        "update listeners.job set state = 'running', attempt = 1, lease_owner = 'dead-worker',"
            + " lease_token = gen_random_uuid(), lease_expires_at = now() - interval '1 minute' where id = "
            + id);
    return id;
  }

  @Test
  void maintenanceGoesOnRescuingAfterAListenerThrewAnError() throws Exception {
    await("this process leads", queue::isLeader);
    long first = expiredJob();
    await("the first job is rescued", () -> state(queue, first) == JobState.AVAILABLE);
    await("its listener threw", () -> listener.seen.contains("rescued " + first + " AVAILABLE"));
    long second = expiredJob();
    await("the second job is rescued too", () -> state(queue, second) == JobState.AVAILABLE);
    assertThat(queue.isLeader()).isTrue();
  }

  @Test
  void anAttemptCompletesAlthoughItsListenerThrowsErrors() throws Exception {
    long id = queue.enqueue(new Ping(4)).id();
    await("completed", () -> state(queue, id) == JobState.COMPLETED);
    await("the listener saw the completion", () -> listener.seen.contains("completed " + id));
    Job job = queue.find(id).orElseThrow();
    assertThat(job.attempt()).isEqualTo(1);
    assertThat(job.errors()).isEmpty();
    assertThat(job.resultJson()).hasValue("4");
  }
}
