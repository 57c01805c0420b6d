package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static dev.txguard.queue.QueueFixture.state;
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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Promotion and deletion driven by an injected clock; leadership moving when its connection ends.
 */
@TxguardTest(queue = false)
class MaintenanceIT {
  @Injected static TestDatabase pg;

  record Tick(int n) {}

  /** A clock tests move by hand. */
  static final class MovableClock extends Clock {
    private volatile Instant now = Instant.parse("2030-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    void set(Instant t) {
      now = t;
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
      return now;
    }
  }

  static Database db;
  static final List<JobQueue> queues = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void setUp() {
    db = QueueFixture.db(pg, 8);
  }

  @AfterAll
  static void tearDown() {
    queues.forEach(q -> q.stop(Duration.ofSeconds(5)));
    db.close();
  }

  private static JobQueue queue(String schema, Clock clock) {
    JobQueue.Builder b =
        QueueFixture.builder(pg, db, schema)
            .handle("tick", Tick.class, job -> job.args().n())
            .queue("default", 2)
            .retention(Duration.ofDays(1));
    JobQueue q = (clock == null ? b : b.clock(clock)).build();
    queues.add(q);
    return q;
  }

  @Test
  void scheduledJobsArePromotedWhenDueAndFinishedJobsDeletedAfterRetention() throws Exception {
    MovableClock clock = new MovableClock();
    JobQueue q = queue("timed", clock);
    q.migrate();
    q.start();
    long id =
        q.enqueue(
                new Tick(1),
                EnqueueOptions.defaults().runAt(clock.instant().plus(Duration.ofHours(1))))
            .id();
    q.engine().runMaintenance();
    assertThat(state(q, id)).isEqualTo(JobState.SCHEDULED);

    clock.advance(Duration.ofHours(2));
    await("promoted and run", () -> state(q, id) == JobState.COMPLETED);
    assertThat(q.find(id).orElseThrow().resultJson()).hasValue("1");
    assertThat(q.find(id).orElseThrow().finalizedAt()).hasValue(clock.instant());

    clock.advance(Duration.ofHours(23));
    q.engine().runMaintenance();
    assertThat(q.find(id)).isPresent();
    clock.advance(Duration.ofHours(2));
    q.engine().runMaintenance();
    assertThat(q.find(id)).isEmpty();
  }

  @Test
  void leadershipMovesWhenTheLeadersConnectionEnds() throws Exception {
    JobQueue first = queue("elect", null);
    JobQueue second = queue("elect", null);
    first.migrate();
    first.start();
    await("first leads", first::isLeader);
    second.start();
    long leaderPid = leaderPid();
    assertThat(second.isLeader()).isFalse();

    pg.execute("select pg_terminate_backend(" + leaderPid + ")");
    await(
        "a new session leads",
        () -> {
          Long pid = leaderPidOrNull();
          return pid != null && pid != leaderPid && (first.isLeader() || second.isLeader());
        });
    await("exactly one process leads", () -> first.isLeader() ^ second.isLeader());

    // maintenance still works under the new leader: a scheduled job due now is promoted and run
    long id =
        first
            .enqueue(new Tick(2), EnqueueOptions.defaults().runAt(Instant.now().plusMillis(200)))
            .id();
    await("run", () -> state(first, id) == JobState.COMPLETED);
  }

  private static long leaderPid() throws Exception {
    Long pid = leaderPidOrNull();
    assertThat(pid).isNotNull();
    return pid;
  }

  private static Long leaderPidOrNull() throws Exception {
    try (var c = pg.connect();
        var st = c.createStatement();
        var rs =
            st.executeQuery(
                "select pid from pg_locks where locktype = 'advisory' and granted"
                    + " and classid::bigint = "
                    + 0x7467_5102L
                    + " and objid::int = hashtext('elect')")) {
      return rs.next() ? rs.getLong(1) : null;
    }
  }
}
