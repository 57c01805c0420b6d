package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@link QueueAdmin#throughput}, {@link QueueAdmin#processes} and {@link QueueAdmin#schedules} on a
 * real queue.
 */
@TxguardTest(queue = false)
class AdminViewsIT {
  @Injected static TestDatabase pg;

  record Work(int n) {}

  record Noop() {}

  static final List<Database> dbs = new CopyOnWriteArrayList<>();
  static final List<JobQueue> queues = new CopyOnWriteArrayList<>();

  @AfterAll
  static void tearDown() {
    queues.forEach(q -> q.stop(Duration.ofSeconds(5)));
    dbs.forEach(Database::close);
  }

  static JobQueue.Builder builder(String schema) {
    Database db = QueueFixture.db(pg, 8);
    dbs.add(db);
    return QueueFixture.builder(pg, db, schema);
  }

  @Test
  void throughputCountsFinishedJobsPerMinuteAndTheFailureRate() throws Exception {
    JobQueue q = builder("tput").declare("work", Work.class).build();
    queues.add(q);
    q.migrate();
    // three completed and one failed a few minutes ago, one completed over an hour ago
    pg.execute(
        "insert into tput.job (kind, queue, args, state, max_attempts, run_at, created_at, finalized_at)"
            + " select 'work', 'default', '{}', s, 1, now(), now(), now() - interval '3 minutes'"
            + " from unnest(array['completed', 'completed', 'completed', 'failed']) s",
        "insert into tput.job (kind, queue, args, state, max_attempts, run_at, created_at, finalized_at)"
            + " values ('work', 'default', '{}', 'completed', 1, now(), now(), now() - interval '2 hours')");

    Throughput t = q.admin().throughput(Duration.ofHours(1));

    assertThat(t.minutes()).hasSizeBetween(60, 61);
    assertThat(t.total(JobState.COMPLETED)).isEqualTo(3);
    assertThat(t.total(JobState.FAILED)).isEqualTo(1);
    assertThat(t.failureRate()).isEqualTo(0.25);
    assertThat(t.minutes()).filteredOn(m -> m.completed() > 0).hasSize(1);
    assertThat(t.minutes().get(0).start())
        .isBefore(t.minutes().get(t.minutes().size() - 1).start());
    assertThatThrownBy(() -> q.admin().throughput(Duration.ofDays(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window must be between 1 minute and PT24H, was PT48H");
  }

  @Test
  void processesShowStartedQueuesTheLeaderAndLeasesOfGoneOwners() throws Exception {
    JobQueue a =
        builder("procs")
            .declare("work", Work.class)
            .owner("node-a")
            .handle("noop", Noop.class, job -> null)
            .queue("idle", 1)
            .build();
    JobQueue b =
        builder("procs")
            .declare("work", Work.class)
            .owner("node-b")
            .handle("noop", Noop.class, job -> null)
            .queue("idle", 1)
            .build();
    queues.add(a);
    queues.add(b);
    a.migrate();
    a.start();
    b.start();
    await("a leader among node-a and node-b", () -> a.isLeader() || b.isLeader());
    pg.execute(
        "insert into procs.job (kind, queue, args, state, attempt, max_attempts, run_at, created_at,"
            + " attempted_at, leased_at, lease_owner, lease_token, lease_expires_at) values ('work', 'default', '{}',"
            + " 'running', 1, 5, now(), now(), now(), now(), 'gone-host', gen_random_uuid(), now() + interval '1 minute')");

    List<QueueProcess> ps = a.admin().processes();

    String leader = a.isLeader() ? "node-a" : "node-b";
    assertThat(ps)
        .extracting(QueueProcess::owner)
        .containsExactlyInAnyOrder("node-a", "node-b", "gone-host");
    assertThat(ps.get(0).owner()).isEqualTo(leader);
    assertThat(ps.get(0).leader()).isTrue();
    assertThat(ps).filteredOn(QueueProcess::leader).hasSize(1);
    QueueProcess gone =
        ps.stream().filter(p -> p.owner().equals("gone-host")).findFirst().orElseThrow();
    assertThat(gone.alive()).isFalse();
    assertThat(gone.running()).isEqualTo(1);
    assertThat(gone.firstLeaseExpiry()).isPresent();
    assertThat(ps)
        .filteredOn(p -> !p.owner().equals("gone-host"))
        .allSatisfy(
            p -> {
              assertThat(p.alive()).isTrue();
              assertThat(p.pid()).isPresent();
            });
    pg.execute("delete from procs.job");
    // another schema's processes are not this one's
    QueueAdmin other = builder("procs_other").build().admin();
    other.migrate();
    assertThat(other.processes()).isEmpty();
  }

  @Test
  void schedulesShowTheirLastAndNextRuns() throws Exception {
    JobQueue q =
        builder("sched")
            .declare("work", Work.class)
            .schedule("tick", Schedule.every(Duration.ofHours(1)), new Work(1))
            .schedule("nightly", Schedule.cron("0 3 * * *"), new Work(2))
            .handle("noop", Noop.class, job -> null)
            .queue("idle", 1)
            .build();
    queues.add(q);
    q.migrate();
    q.start();
    await(
        "both schedules recorded", () -> pg.queryLong("select count(*) from sched.schedule") == 2);
    pg.execute(
        "insert into sched.schedule_run (schedule, fire_at, job_id, created_at)"
            + " values ('tick', now() - interval '1 hour', null, now())");

    List<ScheduleStatus> s = q.admin().schedules();

    assertThat(s).extracting(ScheduleStatus::name).containsExactly("nightly", "tick");
    ScheduleStatus nightly = s.get(0);
    assertThat(nightly.definition()).isEqualTo("cron '0 3 * * *' Z");
    assertThat(nightly.nextRun()).isPresent();
    assertThat(nightly.nextRun().get()).isAfter(nightly.handledUntil());
    assertThat(nightly.nextRun().get().toString()).endsWith("T03:00:00Z");
    assertThat(nightly.lastRun()).isEmpty();
    ScheduleStatus tick = s.get(1);
    assertThat(tick.lastRun()).isPresent();
    assertThat(tick.lastJobId()).isEmpty();
    assertThat(tick.nextRun().get())
        .isAfter(tick.handledUntil())
        .isBeforeOrEqualTo(tick.handledUntil().plus(Duration.ofHours(1)));
    assertThat(tick.nextRun().get().toEpochMilli() % Duration.ofHours(1).toMillis()).isZero();
    assertThat(Instant.EPOCH).isBefore(tick.updatedAt());
  }
}
