package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static dev.txguard.queue.QueueFixture.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.Tx;
import dev.txguard.TxListener;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An idle queue process backs off: its workers' polls double while their claims find nothing, and
 * the leader's maintenance round (one unit) backs off while it finds nothing, so an idle process
 * commits a few units where it used to commit several per interval. It still finds work: a notified
 * job at once, a job nobody announced at its backed-off poll, a scheduled job of its own process at
 * its run-at. Counts of committed units, never durations, are asserted: a loaded machine only makes
 * them smaller.
 */
@TxguardTest(queue = false)
class IdleQueueIT {
  @Injected static TestDatabase pg;

  record Ping(String text) {}

  static final String SCHEMA = "idle";
  static final Duration POLL = Duration.ofMillis(20);
  static final Duration MAINTENANCE = Duration.ofMillis(20);

  /** Committed units by name (claim, maintenance, ...). */
  static final Map<String, AtomicLong> commits = new ConcurrentHashMap<>();

  static Database db;
  static JobQueue queue;

  @BeforeAll
  static void setUp() throws Exception {
    db =
        Database.builder()
            .url(pg.url())
            .user(pg.user())
            .password(pg.password())
            .poolSize(4)
            .listener(
                new TxListener() {
                  @Override
                  public void onCommit(Tx tx, Duration elapsed) {
                    commits
                        .computeIfAbsent(kind(tx.name()), n -> new AtomicLong())
                        .incrementAndGet();
                  }
                })
            .build();
    queue =
        JobQueue.builder(db)
            .schema(SCHEMA)
            .pollInterval(POLL)
            .maintenanceInterval(MAINTENANCE)
            .handle("ping", Ping.class, job -> job.args().text())
            .queue("default", 2)
            .build();
    QueueFixture.start(queue);
    await("the queue leads its schema", queue::isLeader);
  }

  @AfterAll
  static void tearDown() {
    QueueFixture.stop(queue, db);
  }

  /** A unit's kind: its name up to the first space ("claim default" is a claim). */
  static String kind(String name) {
    int space = name.indexOf(' ');
    return space < 0 ? name : name.substring(0, space);
  }

  static Map<String, Long> snapshot() {
    Map<String, Long> s = new TreeMap<>();
    commits.forEach((k, v) -> s.put(k, v.get()));
    return s;
  }

  static long delta(Map<String, Long> before, Map<String, Long> after, String kind) {
    return after.getOrDefault(kind, 0L) - before.getOrDefault(kind, 0L);
  }

  @Test
  void anIdleProcessClaimsAndMaintainsRarely() throws Exception {
    // let the backoffs reach their caps: 16 polls (320 ms) and 8 intervals (160 ms)
    Thread.sleep(2_000);
    Map<String, Long> before = snapshot();
    long windowMs = 3_000;
    Thread.sleep(windowMs);
    Map<String, Long> after = snapshot();
    long claims = delta(before, after, "claim");
    long rounds = delta(before, after, "maintenance");
    // without backoff: 2 run levels x 150 polls, and 150 rounds of 3 units each (rescue,
    // promote, delete); with it about 2 x 10 claims and 19 rounds of one unit
    assertThat(claims)
        .as(
            "claims of 2 idle fetchers in %d ms (poll %s); all units %s -> %s",
            windowMs, POLL, before, after)
        .isLessThanOrEqualTo(2 * (windowMs / POLL.toMillis() / 16 + 3));
    assertThat(rounds)
        .as(
            "maintenance rounds of an idle leader in %d ms; all units %s -> %s",
            windowMs, before, after)
        .isLessThanOrEqualTo(windowMs / MAINTENANCE.toMillis() / 8 + 5);
    assertThat(delta(before, after, "rescue") + delta(before, after, "promote"))
        .as("an idle round is one unit")
        .isZero();
  }

  @Test
  void aBackedOffProcessStillFindsNotifiedUnannouncedAndScheduledJobs() throws Exception {
    Thread.sleep(1_000); // backed off
    long notified = queue.enqueue(new Ping("notified")).id();
    await("the notified job completes", () -> state(queue, notified) == JobState.COMPLETED);

    Thread.sleep(1_000); // backed off again
    // inserted behind the queue's back: no NOTIFY, only the backed-off poll finds it
    long unannounced =
        pg.queryLong(
            "insert into "
                + SCHEMA
                + ".job (kind, queue, args, state, max_attempts, run_at, created_at)"
                + " values ('ping', 'default', '{\"text\":\"quiet\"}', 'available', 1, now(), now())"
                + " returning id");
    await("the unannounced job completes", () -> state(queue, unannounced) == JobState.COMPLETED);

    Thread.sleep(1_000); // backed off again
    long scheduled =
        queue
            .enqueue(
                new Ping("later"), EnqueueOptions.defaults().runAt(Instant.now().plusMillis(500)))
            .id();
    assertThat(state(queue, scheduled)).isEqualTo(JobState.SCHEDULED);
    await("the scheduled job completes", () -> state(queue, scheduled) == JobState.COMPLETED);
  }
}
