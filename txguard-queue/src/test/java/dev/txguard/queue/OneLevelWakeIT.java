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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An enqueue wakes one fetcher: the one of its queue and run level, once. The job's own process
 * wakes it after the enqueue's commit and ignores its own announcement when it comes back through
 * LISTEN (or sends none, alone); the fetcher of the other run level is not woken at all; the
 * finished attempt does not wake it either, since its claim found every available job. Counted in
 * claims (the queue's units named {@code claim <queue>}) per level, with polls an hour apart so
 * that only wake-ups claim.
 */
@TxguardTest(queue = false)
class OneLevelWakeIT {
  @Injected static TestDatabase pg;

  record Greet(String name) {}

  static final String SCHEMA = "onelevel";
  static final int JOBS = 20;

  /** Committed claim units by the level of the thread that ran them. */
  static final Map<Integer, AtomicLong> claims = new ConcurrentHashMap<>();

  static Database db;
  static JobQueue queue;

  @BeforeAll
  static void setUp() {
    Database[] self = new Database[1];
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
                    if (tx.name().startsWith("claim ")) {
                      claims
                          .computeIfAbsent(self[0].level(), l -> new AtomicLong())
                          .incrementAndGet();
                    }
                  }
                })
            .build();
    self[0] = db;
    queue =
        QueueFixture.builder(pg, db, SCHEMA)
            .pollInterval(Duration.ofHours(1))
            .handle("greet", Greet.class, job -> "hello " + job.args().name())
            .queue("default", 2)
            .build();
    QueueFixture.start(queue);
  }

  @AfterAll
  static void tearDown() {
    QueueFixture.stop(queue, db);
  }

  static long claimsAt(int level) {
    AtomicLong n = claims.get(level);
    return n == null ? 0 : n.get();
  }

  @Test
  void anEnqueueWakesTheFetcherOfItsLevelOnceAndTheOtherLevelNever() throws Exception {
    Thread.sleep(500); // the start-up claims of both levels are over
    long level0 = claimsAt(0);
    long level1 = claimsAt(1);
    for (int i = 0; i < JOBS; i++) {
      long id = queue.enqueue(new Greet("n" + i)).id();
      await("job " + i + " completes", () -> state(queue, id) == JobState.COMPLETED);
    }
    Thread.sleep(500); // announcements of this process, were they not ignored, would be back
    assertThat(claimsAt(1) - level1).as("claims of the level-1 fetcher").isZero();
    // per job: the claim woken after the enqueue's commit; a finished attempt waking the fetcher
    // (for a claim that finds nothing) or a self-announcement heard back would add one per job.
    // The slack is for a reconnect of the control connection (which wakes every fetcher) and for a
    // claim made while the previous job's attempt still held its slot (it takes all it asked for,
    // so the fetcher claims again at once)
    assertThat(claimsAt(0) - level0)
        .as("claims of the level-0 fetcher for %d jobs run one after another", JOBS)
        .isBetween((long) JOBS, JOBS + JOBS / 4L);
  }
}
