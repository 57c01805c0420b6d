package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.Database;
import dev.txguard.queue.MaintenanceIT.MovableClock;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Periodic jobs: every instant enqueued exactly once by several queue instances, across a leader's
 * death (a worker JVM killed with SIGKILL), across an outage (per missed-run policy) and across
 * daylight-saving changes (on an injected clock).
 */
@TxguardTest(queue = false)
class ScheduleIT {
  @Injected static TestDatabase pg;

  record Tick(String at) {}

  record Other(int n) {}

  static final List<Database> dbs = new CopyOnWriteArrayList<>();
  static final List<JobQueue> queues = new CopyOnWriteArrayList<>();

  @AfterAll
  static void tearDown() {
    processes.forEach(Process::destroyForcibly);
    queues.forEach(q -> q.stop(Duration.ofSeconds(5)));
    dbs.forEach(Database::close);
  }

  static Database db() {
    Database db = QueueFixture.db(pg, 8);
    dbs.add(db);
    return db;
  }

  static JobQueue.Builder builder(String schema, Database db) {
    return QueueFixture.builder(pg, db, schema)
        .handle("tick", Tick.class, job -> job.args().at())
        .queue("default", 2);
  }

  static JobQueue instance(String schema, Schedule when) {
    JobQueue q =
        builder(schema, db())
            .schedule("tick", when, EnqueueOptions.defaults(), t -> new Tick(t.toString()))
            .maintenanceInterval(Duration.ofMillis(100))
            .build();
    queues.add(q);
    return q;
  }

  /** The instants claimed for schedule {@code name} in {@code schema}, in order. */
  static List<Instant> instants(String schema, String name) throws Exception {
    List<Instant> out = new ArrayList<>();
    try (var c = pg.connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "select fire_at from "
                    + schema
                    + ".schedule_run where schedule = '"
                    + name
                    + "' order by fire_at")) {
      while (rs.next()) {
        out.add(rs.getObject(1, OffsetDateTime.class).toInstant());
      }
    }
    return out;
  }

  static Instant lastInstant(String schema) throws Exception {
    List<Instant> all = instants(schema, "tick");
    return all.isEmpty() ? Instant.EPOCH : all.get(all.size() - 1);
  }

  static Instant dbNow() throws Exception {
    try (var c = pg.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select now()")) {
      rs.next();
      return rs.getObject(1, OffsetDateTime.class).toInstant();
    }
  }

  /**
   * Every instant has exactly one job, whose run-at and arguments are the instant, and the instants
   * are every {@code step} from the first to the last: no gap, no double.
   */
  static List<Instant> assertOneJobPerInstant(String schema, Duration step) throws Exception {
    List<Instant> got = instants(schema, "tick");
    assertThat(got).as("instants claimed").isNotEmpty();
    for (int i = 1; i < got.size(); i++) {
      assertThat(Duration.between(got.get(i - 1), got.get(i)))
          .as("step after instant %s of %s: %s", i, got.size(), got)
          .isEqualTo(step);
    }
    assertThat(pg.queryLong("select count(*) from " + schema + ".job"))
        .as("jobs")
        .isEqualTo(got.size());
    assertThat(
            pg.queryLong(
                "select count(*) from "
                    + schema
                    + ".job j join "
                    + schema
                    + ".schedule_run r"
                    // not r.fire_at = j.run_at: a rescue or retry moves run_at (seen once: a
                    // killed leader's claimed tick was rescued)
                    + " on r.job_id = j.id and j.args ->> 'at' = to_char(r.fire_at at time zone 'UTC',"
                    + " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"))
        .as("jobs matching their instant")
        .isEqualTo(got.size());
    return got;
  }

  @Test
  void threeInstancesEnqueueOneJobPerSecondForTenSecondsWithNoGapAndNoDouble() throws Exception {
    List<JobQueue> three = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      three.add(instance("every_second", Schedule.every(Duration.ofSeconds(1))));
    }
    three.get(0).migrate();
    three.forEach(JobQueue::start);
    // besides the leader's rounds, every instance also runs the scheduler itself, as often as it
    // can: only the database's deduplication can keep the instants single then
    AtomicBoolean running = new AtomicBoolean(true);
    List<Thread> hammers = new ArrayList<>();
    for (JobQueue q : three) {
      hammers.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    while (running.get()) {
                      q.engine().runScheduler();
                      try {
                        Thread.sleep(5);
                      } catch (InterruptedException e) {
                        return;
                      }
                    }
                  }));
    }
    Thread.sleep(10_000);
    Instant end = dbNow();
    await(
        "instants up to " + end + " enqueued",
        () -> !lastInstant("every_second").isBefore(end.minusSeconds(1)),
        () -> "last instant enqueued " + lastInstant("every_second"));
    running.set(false);
    for (Thread t : hammers) {
      t.join();
    }
    three.forEach(q -> q.stop(Duration.ofSeconds(10)));
    await(
        "every tick job completed",
        () ->
            pg.queryLong("select count(*) from every_second.job where state <> 'completed'") == 0);

    List<Instant> got = assertOneJobPerInstant("every_second", Duration.ofSeconds(1));
    assertThat(got.size()).as("instants in about ten seconds: %s", got).isGreaterThanOrEqualTo(5);
    assertThat(pg.queryLong("select count(*) from every_second.job where state = 'completed'"))
        .isEqualTo(got.size());
  }

  @Test
  void aLeaderJvmKilledMidScheduleLosesNoInstant() throws Exception {
    try (Database db = QueueFixture.db(pg, 2)) {
      JobQueue.builder(db).schema("killed").build().migrate();
    }
    List<String> names = List.of("s0", "s1", "s2");
    List<Process> workers = new ArrayList<>();
    for (String name : names) {
      // SKIP: even so, the instants within the grace (one minute) that came while no one led are
      // enqueued
      workers.add(worker("killed", name, MissedRuns.SKIP));
    }
    await("three workers ready", () -> names.stream().allMatch(n -> said(n, "READY")));
    await(
        "three instants enqueued (so far " + instants("killed", "tick").size() + ")",
        () -> instants("killed", "tick").size() >= 3);
    int victim =
        names.indexOf(names.stream().filter(n -> said(n, "LEADER")).findFirst().orElseThrow());
    workers
        .get(victim)
        .destroyForcibly(); // SIGKILL: no shutdown hook, no graceful stop, maybe mid-unit
    assertThat(workers.get(victim).waitFor(30, TimeUnit.SECONDS)).isTrue();
    Instant killedAt = dbNow();
    await(
        "another worker leads",
        () ->
            names.stream()
                .filter(n -> !n.equals(names.get(victim)))
                .anyMatch(n -> said(n, "LEADER")));
    await(
        "instants up to three seconds after the kill enqueued (last so far: "
            + lastInstant("killed")
            + ")",
        () -> lastInstant("killed").isAfter(killedAt.plusSeconds(3)));
    // jobs the victim had claimed when it was killed stay running until their lease expires and a
    // survivor rescues them; the leak check would rightly report them at the end of the test
    String victimName = names.get(victim);
    await(
        "the killed worker's running jobs rescued",
        () ->
            pg.queryLong(
                    "select count(*) from killed.job"
                        + " where state = 'running' and lease_owner = '"
                        + victimName
                        + "'")
                == 0);
    for (int i = 0; i < workers.size(); i++) {
      if (i != victim) {
        workers.get(i).getOutputStream().close(); // graceful stop
        assertThat(workers.get(i).waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(workers.get(i).exitValue()).isZero();
      }
    }

    List<Instant> got = assertOneJobPerInstant("killed", Duration.ofSeconds(1));
    assertThat(got.get(0)).isBefore(killedAt);
    assertThat(got.get(got.size() - 1)).isAfter(killedAt.plusSeconds(3));
  }

  static final List<Process> processes = new CopyOnWriteArrayList<>();
  static final Map<String, List<String>> output = new ConcurrentHashMap<>();

  static Process worker(String schema, String name, MissedRuns policy) throws Exception {
    List<String> lines = QueueFixture.newLines();
    output.put(name, lines);
    Process p =
        QueueFixture.startJvm(
            ScheduleWorkerProcess.class,
            ProcessBuilder.Redirect.INHERIT,
            lines,
            pg.url(),
            pg.user(),
            pg.password(),
            schema,
            name,
            policy.name());
    processes.add(p);
    return p;
  }

  static boolean said(String name, String word) {
    return output.get(name).stream().anyMatch(l -> l.startsWith(word));
  }

  @Test
  void missedInstantsFollowThePolicyAndTheSeriesSurvivesARestart() throws Exception {
    MovableClock clock = new MovableClock(); // 2030-01-01T00:00:00Z
    Instant t0 = clock.instant();
    Schedule every10 = Schedule.every(Duration.ofSeconds(10)).grace(Duration.ofSeconds(30));
    JobQueue first = clockedInstance("outage", clock, every10);
    first.migrate();
    first.engine().runScheduler(); // the series starts: its cursor is now
    clock.advance(Duration.ofSeconds(25));
    first.engine().runScheduler();
    assertThat(instants("outage", "skip")).containsExactly(t0.plusSeconds(10), t0.plusSeconds(20));
    assertThat(instants("outage", "once")).containsExactly(t0.plusSeconds(10), t0.plusSeconds(20));

    // every process down for an hour; a new one (a restart) takes the series up from the cursor
    clock.advance(Duration.ofHours(1));
    JobQueue restarted = clockedInstance("outage", clock, every10);
    restarted.engine().runScheduler();
    restarted.engine().runScheduler();

    // now 01:00:25; instants older than the grace (before 00:59:55) were missed
    assertThat(instants("outage", "skip"))
        .containsExactly(
            t0.plusSeconds(10),
            t0.plusSeconds(20),
            t0.plusSeconds(3600),
            t0.plusSeconds(3610),
            t0.plusSeconds(3620));
    assertThat(instants("outage", "once"))
        .containsExactly(
            t0.plusSeconds(10),
            t0.plusSeconds(20),
            t0.plusSeconds(3590),
            t0.plusSeconds(3600),
            t0.plusSeconds(3610),
            t0.plusSeconds(3620));
    assertThat(pg.queryLong("select count(*) from outage.job")).isEqualTo(11);
    assertThat(
            pg.queryLong(
                "select count(*) from outage.job j join outage.schedule_run r on r.job_id = j.id"
                    + " where j.run_at = r.fire_at and j.state = 'available'"))
        .isEqualTo(11);
  }

  static JobQueue clockedInstance(String schema, MovableClock clock, Schedule when) {
    JobQueue q =
        QueueFixture.builder(pg, db(), schema)
            .handle("tick", Tick.class, job -> null)
            .declare("other", Other.class)
            .clock(clock)
            .schedule(
                "skip",
                when.missed(MissedRuns.SKIP),
                EnqueueOptions.defaults(),
                t -> new Tick(t.toString()))
            .schedule(
                "once",
                when.missed(MissedRuns.RUN_ONCE),
                EnqueueOptions.defaults().queue("other"),
                new Other(1))
            .build();
    queues.add(q);
    return q;
  }

  @Test
  void cronInATimeZoneFiresAtTheRightInstantsAcrossDaylightSavingChanges() throws Exception {
    ZoneId berlin = ZoneId.of("Europe/Berlin");
    MovableClock clock = new MovableClock();
    clock.set(Instant.parse("2030-03-29T00:00:00Z"));
    // the clock moves in 20-minute steps, so each round finds an instant up to 20 minutes late:
    // a grace of one hour keeps every one of them on time (none is missed)
    Database db = db();
    JobQueue graceful =
        QueueFixture.builder(pg, db, "dst")
            .declare("tick", Tick.class)
            .clock(clock)
            .schedule(
                "daily-9",
                Schedule.cron("0 9 * * *", berlin).grace(Duration.ofHours(1)),
                EnqueueOptions.defaults(),
                t -> new Tick(t.toString()))
            .schedule(
                "hourly",
                Schedule.cron("0 * * * *", berlin).grace(Duration.ofHours(1)),
                EnqueueOptions.defaults(),
                t -> new Tick(t.toString()))
            .schedule(
                "at-2-30",
                Schedule.cron("30 2 * * *", berlin).grace(Duration.ofHours(1)),
                EnqueueOptions.defaults(),
                t -> new Tick(t.toString()))
            .build();
    queues.add(graceful);
    graceful.migrate();
    graceful.engine().runScheduler(); // the series start: cursors at 2030-03-29T00:00Z
    stepUntil(clock, graceful, Instant.parse("2030-04-01T12:00:00Z"));
    assertThat(instants("dst", "daily-9"))
        .containsExactly(
            Instant.parse("2030-03-29T08:00:00Z"),
            Instant.parse("2030-03-30T08:00:00Z"),
            Instant.parse("2030-03-31T07:00:00Z"),
            Instant.parse("2030-04-01T07:00:00Z"));
    assertThat(instants("dst", "at-2-30"))
        .as("02:30 does not exist on March 31")
        .containsExactly(
            Instant.parse("2030-03-29T01:30:00Z"),
            Instant.parse("2030-03-30T01:30:00Z"),
            Instant.parse("2030-04-01T00:30:00Z"));
    assertHourly(
        instants("dst", "hourly"),
        Instant.parse("2030-03-29T00:00:00Z"),
        Instant.parse("2030-04-01T12:00:00Z"));

    // and in autumn: 02:00 to 03:00 happens twice on October 27
    clock.set(Instant.parse("2030-10-26T00:00:00Z"));
    pg.execute("update dst.schedule set last_at = '2030-10-26T00:00:00Z'");
    stepUntil(clock, graceful, Instant.parse("2030-10-28T12:00:00Z"));
    List<Instant> daily = instants("dst", "daily-9");
    assertThat(daily.subList(4, daily.size()))
        .containsExactly(
            Instant.parse("2030-10-26T07:00:00Z"),
            Instant.parse("2030-10-27T08:00:00Z"),
            Instant.parse("2030-10-28T08:00:00Z"));
    List<Instant> twoThirty = instants("dst", "at-2-30");
    assertThat(twoThirty.subList(3, twoThirty.size()))
        .as("the repeated 02:30 fires once")
        .containsExactly(
            Instant.parse("2030-10-26T00:30:00Z"),
            Instant.parse("2030-10-27T00:30:00Z"),
            Instant.parse("2030-10-28T01:30:00Z"));
    List<Instant> hourly = instants("dst", "hourly");
    List<Instant> autumn =
        hourly.stream().filter(t -> t.isAfter(Instant.parse("2030-10-01T00:00:00Z"))).toList();
    assertHourly(
        autumn, Instant.parse("2030-10-26T00:00:00Z"), Instant.parse("2030-10-28T12:00:00Z"));
    assertThat(
            autumn.stream()
                .filter(t -> t.atZone(berlin).toLocalDate().toString().equals("2030-10-27")))
        .as("hours of the long day")
        .hasSize(25);
    assertThat(pg.queryLong("select count(*) from dst.job"))
        .isEqualTo(daily.size() + twoThirty.size() + hourly.size());
  }

  /** Every UTC hour after {@code from} up to {@code to}, each once. */
  static void assertHourly(List<Instant> got, Instant from, Instant to) {
    List<Instant> expected = new ArrayList<>();
    for (Instant t = from.plusSeconds(3600); !t.isAfter(to); t = t.plusSeconds(3600)) {
      expected.add(t);
    }
    assertThat(got).containsExactlyElementsOf(expected);
  }

  static void stepUntil(MovableClock clock, JobQueue q, Instant end) {
    while (clock.instant().isBefore(end)) {
      clock.advance(Duration.ofMinutes(20));
      q.engine().runScheduler();
    }
  }

  @Test
  void schedulesAreCheckedWhenTheQueueIsBuilt() {
    Database db = db();
    assertThatThrownBy(
            () ->
                QueueFixture.builder(pg, db, "bad")
                    .declare("tick", Tick.class)
                    .schedule("x", Schedule.every(Duration.ofSeconds(5)), new Other(1))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "schedule 'x': unknown job kind: no kind is registered for args type");
    assertThatThrownBy(
            () ->
                QueueFixture.builder(pg, db, "bad")
                    .declare("tick", Tick.class)
                    .schedule("x", Schedule.every(Duration.ofSeconds(5)), new Tick("a"))
                    .schedule("x", Schedule.cron("0 * * * *"), new Tick("b")))
        .hasMessage(
            "schedule 'x' is already declared (every PT5S); each schedule needs a name of its own");
    assertThatThrownBy(
            () ->
                QueueFixture.builder(pg, db, "bad")
                    .schedule("no space", Schedule.every(Duration.ofSeconds(5)), new Tick("a")))
        .hasMessageStartingWith("schedule name must");
  }
}
