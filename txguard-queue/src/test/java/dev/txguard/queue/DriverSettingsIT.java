package dev.txguard.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The queue works whatever pgjdbc settings a user's URL carries, those that change how statements
 * go to the server included: plain jobs, retried failures, transactional jobs, a call, a job's and
 * a group's cancel. With {@code prepareThreshold=-1} (pgjdbc's force-binary mode) a statement sent
 * with the plan settings as one multi-statement text failed to bind ("bind message has 16 result
 * formats but query has 4 columns", SQLSTATE 08P01), so no claim ever succeeded; the settings now
 * go in a round trip of their own (LookupPlans).
 */
@TxguardTest(queue = false)
class DriverSettingsIT {
  @Injected static TestDatabase pg;

  record Work(int n) {}

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "prepareThreshold=-1",
        "prepareThreshold=0",
        "prepareThreshold=1",
        "preferQueryMode=simple",
        "preferQueryMode=extendedCacheEverything"
      })
  void everyKindOfJobRunsAndCancelsWork(String setting) throws Exception {
    String url = pg.url() + (pg.url().contains("?") ? "&" : "?") + setting;
    Database db =
        Database.builder()
            .url(url)
            .user(pg.user())
            .password(pg.password())
            .connectionTimeout(Duration.ofSeconds(10))
            .poolSize(6)
            .build();
    String schema = "driver_" + setting.replaceAll("[^A-Za-z0-9]", "_").toLowerCase();
    pg.execute("create table " + schema + "_box (n int not null)");
    AtomicLong plain = new AtomicLong();
    AtomicLong boxed = new AtomicLong();
    JobQueue queue =
        QueueFixture.builder(pg, db, schema)
            .handle(
                "work",
                Work.class,
                job -> {
                  if (job.args().n() % 3 == 0 && job.attempt() == 1) {
                    throw new IllegalStateException("fails once, then succeeds");
                  }
                  plain.incrementAndGet();
                  return job.args().n();
                })
            .handleInTx(
                "box",
                Box.class,
                (tx, job) -> {
                  tx.update("insert into " + schema + "_box values (?)", job.args().n());
                  boxed.incrementAndGet();
                  return null;
                })
            .queue("default", 4)
            .build();
    QueueFixture.start(queue);
    try {
      for (int i = 0; i < 30; i++) {
        queue.enqueue(new Work(i));
        queue.enqueue(new Box(i));
      }
      QueueFixture.awaitProgress("plain jobs done", plain::get, 30);
      QueueFixture.awaitProgress("transactional jobs done", boxed::get, 30);
      assertThat(queue.call(new Work(7), Integer.class, Duration.ofSeconds(60))).isEqualTo(7);

      Instant later = Instant.now().plus(Duration.ofHours(1));
      long one = queue.enqueue(new Work(100), EnqueueOptions.defaults().runAt(later)).id();
      for (int i = 0; i < 3; i++) {
        queue.enqueue(new Work(200 + i), EnqueueOptions.defaults().runAt(later).group("g"));
      }
      assertThat(queue.cancel(one)).as("a scheduled job's cancel").isTrue();
      assertThat(queue.cancelGroup("g", Duration.ofSeconds(5)).cancelled())
          .as("a group of scheduled jobs' cancel")
          .isEqualTo(3);
      assertThat(QueueFixture.state(queue, one)).isEqualTo(JobState.CANCELLED);
    } finally {
      QueueFixture.stop(queue, db);
    }
  }

  /** A transactional job's arguments: the same shape, another kind. */
  record Box(int n) {}
}
