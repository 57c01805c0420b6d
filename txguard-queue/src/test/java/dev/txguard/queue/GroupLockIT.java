package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.LeakReport;
import dev.txguard.TxListener;
import dev.txguard.TxOptions;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, item 3: a plain grouped handler used to hold its group's shared lock inside a unit left
 * idle in transaction for the handler's whole run, so a unit timeout in {@code txOptions} (or the
 * server's {@code idle_in_transaction_session_timeout}) released the lock early, {@code
 * cancelGroup} returned while the handler still ran, and long handlers raised leak reports. Here
 * the units time out after 300 ms and leaks are reported after 200 ms; the handler runs until the
 * test lets it go.
 */
@TxguardTest(queue = false)
class GroupLockIT {
  @Injected static TestDatabase pg;

  record Export(String name) {}

  /** The first half of the group lock's key (LockKeys.GROUP), as pg_locks shows it in classid. */
  static final long GROUP_LOCK = 0x7467_5103L;

  static final CountDownLatch started = new CountDownLatch(1);
  static final CountDownLatch release = new CountDownLatch(1);
  static final AtomicBoolean handlerEnded = new AtomicBoolean();
  static final AtomicBoolean cancelSeen = new AtomicBoolean();
  static final List<LeakReport> leaks = new CopyOnWriteArrayList<>();
  static Database db;
  static JobQueue queue;

  @BeforeAll
  static void setUp() throws Exception {
    db =
        Database.builder()
            .url(pg.url())
            .user(pg.user())
            .password(pg.password())
            .poolSize(6)
            .leakThreshold(Duration.ofMillis(200))
            .listener(
                new TxListener() {
                  @Override
                  public void onLeak(LeakReport report) {
                    leaks.add(report);
                  }
                })
            .build();
    queue =
        QueueFixture.builder(pg, db, "group_lock")
            .txOptions(TxOptions.defaults().timeout(Duration.ofMillis(300)))
            .handle(
                "export",
                Export.class,
                job -> {
                  started.countDown();
                  while (!release.await(20, TimeUnit.MILLISECONDS)) {
                    cancelSeen.compareAndSet(false, job.isCancelRequested());
                  }
                  handlerEnded.set(true);
                  return null;
                })
            .queue("default", 2)
            .build();
    QueueFixture.start(queue);
  }

  @AfterAll
  static void tearDown() {
    release.countDown();
    QueueFixture.stop(queue, db);
  }

  @Test
  void
      aPlainGroupedHandlersLockOutlivesTheUnitTimeoutWithNoIdleTransactionNoLeakReportAndCancelGroupWaits()
          throws Exception {
    queue.enqueue(new Export("a"), EnqueueOptions.defaults().group("exports"));
    assertThat(started.await(60, TimeUnit.SECONDS)).as("the handler started").isTrue();
    Thread.sleep(
        1_000); // over three unit timeouts and five leak thresholds pass while the handler runs

    assertThat(groupLocksHeld()).as("shared group locks held").isEqualTo(1);
    assertThat(
            pg.queryLong(
                "select count(*) from pg_stat_activity where datname = current_database()"
                    + " and state like 'idle in transaction%'"))
        .as("sessions idle in transaction")
        .isZero();
    // the old design's helper unit ("group lock of job 1") or a transactional job's unit ("job
    // export") open for the handler's run; other units slowed by a loaded machine are not the point
    assertThat(leaks)
        .as("leak reports of units open for the handler's run")
        .noneMatch(r -> r.name().startsWith("group lock") || r.name().startsWith("job "));

    CompletableFuture<CancelResult> cancel =
        CompletableFuture.supplyAsync(() -> queue.cancelGroup("exports", Duration.ofSeconds(60)));
    await("the handler seeing the cancel request", cancelSeen::get);
    pg.awaitLockWait("pg_advisory_lock");
    assertThat(cancel).as("cancelGroup while the handler runs").isNotDone();

    release.countDown();
    CancelResult result = cancel.get(60, TimeUnit.SECONDS);
    assertThat(handlerEnded).as("the handler ended before cancelGroup returned").isTrue();
    assertThat(result).isEqualTo(new CancelResult(0, 1, 0));
    await("the group lock released", () -> groupLocksHeld() == 0);
  }

  private static long groupLocksHeld() throws Exception {
    return pg.queryLong(
        "select count(*) from pg_locks where locktype = 'advisory' and classid = "
            + GROUP_LOCK
            + " and mode = 'ShareLock' and granted and database = (select oid from pg_database"
            + " where datname = current_database())");
  }
}
