package dev.txguard.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.txguard.Database;
import dev.txguard.TxOptions;
import dev.txguard.queue.QueueListener;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A heartbeat that meets a job row whose attempt is completing (the row locked by the completion's
 * transaction) must neither wait for it nor report the attempt as having lost its lease (and
 * interrupt it): it skips the row, and the attempt still holds its token. After the completion
 * commits, the next heartbeat sees the job finished, not lost. The interleaving is arranged by
 * hand, as in {@link ConcurrentStatementsIT}.
 */
@TxguardTest(queue = false)
class HeartbeatRaceIT {
  @Injected static TestDatabase pg;

  static final String SCHEMA = "beats";
  static Database db;
  static ExecutorService threads;

  @BeforeAll
  static void setUp() {
    db =
        Database.builder()
            .url(pg.url())
            .user(pg.user())
            .password(pg.password())
            .connectionTimeout(Duration.ofSeconds(10))
            .poolSize(4)
            .build();
    new Migrator(db, new Sql(SCHEMA)).migrate();
    threads = Executors.newVirtualThreadPerTaskExecutor();
  }

  @AfterAll
  static void tearDown() {
    threads.shutdownNow();
    db.close();
  }

  @Test
  void aJobCompletedWhileTheHeartbeatWaitsForItIsNotReportedAsLost() throws Exception {
    UUID token = UUID.randomUUID();
    long id =
        pg.queryLong(
            "insert into "
                + SCHEMA
                + ".job (kind, queue, args, state, attempt, max_attempts, run_at,"
                + " created_at, lease_owner, lease_token, lease_expires_at) values ('work', 'default', '{}', 'running', 1,"
                + " 20, now(), now(), 'me', '"
                + token
                + "', now() + interval '1 hour') returning id");
    Running running = new Running();
    Attempt attempt =
        new Attempt(
            id, "work", "default", "{}", 1, 20, Instant.now(), token.toString(), null, false, 0);
    running.add(attempt);
    QueueConfig config =
        new QueueConfig(
            db,
            SCHEMA,
            null,
            null,
            null,
            new Kinds(List.of()),
            Map.of(),
            20,
            0,
            Duration.ofSeconds(1),
            Duration.ofSeconds(30),
            Duration.ofSeconds(1),
            Duration.ofDays(1),
            Duration.ZERO,
            Duration.ZERO,
            new QueueListener() {},
            TxOptions.defaults(),
            JsonMapper.builder().build(),
            null,
            "me",
            2,
            List.of());
    Heartbeat heartbeat = new Heartbeat(config, new Sql(SCHEMA), new Now(null), running, 0);

    try (Connection c = pg.connect()) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.executeUpdate(
            "update "
                + SCHEMA
                + ".job set state = 'completed', finalized_at = now(), lease_owner = null,"
                + " lease_token = null, lease_expires_at = null where id = "
                + id);
      }
      Future<?> beat = threads.submit(heartbeat::beat);
      // the heartbeat skips the locked row rather than waiting for it: it ends while the
      // completion is still uncommitted (a wait would time out here)
      beat.get(60, TimeUnit.SECONDS);
      assertThat(attempt.leaseLost).as("lost while its completion was under way").isFalse();
      c.commit();
    }
    heartbeat.beat();
    assertThat(attempt.leaseLost).as("lost after its completion committed").isFalse();
  }
}
