package dev.txguard.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.queue.JobQueue;
import dev.txguard.queue.JobState;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The queue's statements against a concurrent writer of the same job row, interleaved by hand: the
 * test's own transaction changes the row and holds its lock, the queue's statement starts and waits
 * for that lock, then the test commits. Each statement must act on the row's newest version, not on
 * the snapshot it started with.
 */
@TxguardTest(queue = false)
class ConcurrentStatementsIT {
  @Injected static TestDatabase pg;

  record Work(int n) {}

  static final String SCHEMA = "races";
  static Database db;
  static JobQueue queue;
  static Sql sql;
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
    queue = JobQueue.builder(db).schema(SCHEMA).declare("work", Work.class).build();
    queue.migrate();
    sql = new Sql(SCHEMA);
    threads = Executors.newVirtualThreadPerTaskExecutor();
  }

  @AfterAll
  static void tearDown() {
    threads.shutdownNow();
    db.close();
  }

  /** Enqueues a job and makes it look claimed: running under {@code token}, leased for an hour. */
  static long runningJob(UUID token) throws Exception {
    long id = queue.enqueue(new Work(1)).id();
    pg.execute(
        "update "
            + SCHEMA
            + ".job set state = 'running', attempt = 1, lease_owner = 'worker-x',"
            + " lease_token = '"
            + token
            + "', lease_expires_at = now() + interval '1 hour' where id = "
            + id);
    return id;
  }

  static String state(long id) throws Exception {
    try (Connection c = pg.connect();
        Statement st = c.createStatement();
        var rs = st.executeQuery("select state from " + SCHEMA + ".job where id = " + id)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /**
   * The attempt fails (or shutdown gives it back) between the old two statements of cancel: the job
   * moves from running to retryable or available while cancel runs. It must end cancelled, not
   * escape both "cancel what has not started" and "flag what runs".
   */
  @ParameterizedTest
  @ValueSource(strings = {"retryable", "available"})
  void cancelCatchesAJobThatStopsRunningWhileItRuns(String next) throws Exception {
    long id = runningJob(UUID.randomUUID());
    try (Connection c = pg.connect()) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.executeUpdate(
            "update "
                + SCHEMA
                + ".job set state = '"
                + next
                + "', lease_owner = null,"
                + " lease_token = null, lease_expires_at = null where id = "
                + id);
      }
      Future<Boolean> cancelled = threads.submit(() -> queue.cancel(id));
      pg.awaitLockWait("cancel_requested = true");
      c.commit();
      assertThat(cancelled.get(60, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(state(id)).isEqualTo("cancelled");
    assertThat(queue.find(id).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
  }

  /** A cancel committed while the failure is being recorded ends the job cancelled, not retried. */
  @Test
  void aFailureRecordedWhileCancelCommitsEndsTheJobCancelled() throws Exception {
    UUID token = UUID.randomUUID();
    long id = runningJob(token);
    try (Connection c = pg.connect()) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.executeUpdate("update " + SCHEMA + ".job set cancel_requested = true where id = " + id);
      }
      Future<Optional<String>> recorded = threads.submit(() -> recordFailure(id, token));
      pg.awaitLockWait("Records a failed attempt");
      c.commit();
      assertThat(recorded.get(60, TimeUnit.SECONDS)).hasValue("cancelled");
    }
    assertThat(state(id)).isEqualTo("cancelled");
  }

  /**
   * The lease is lost (rescue) while the failure is being recorded: the stale attempt must record
   * nothing, not overwrite the rescued job.
   */
  @Test
  void aFailureRecordedWhileRescueCommitsRecordsNothing() throws Exception {
    UUID token = UUID.randomUUID();
    long id = runningJob(token);
    try (Connection c = pg.connect()) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.executeUpdate(
            "update "
                + SCHEMA
                + ".job set state = 'available', lease_owner = null,"
                + " lease_token = null, lease_expires_at = null where id = "
                + id);
      }
      Future<Optional<String>> recorded = threads.submit(() -> recordFailure(id, token));
      pg.awaitLockWait("Records a failed attempt");
      c.commit();
      assertThat(recorded.get(60, TimeUnit.SECONDS)).isEmpty();
    }
    assertThat(state(id)).isEqualTo("available");
    assertThat(
            pg.queryLong(
                "select jsonb_array_length(errors) from " + SCHEMA + ".job where id = " + id))
        .isZero();
  }

  /** Runs record_failure.sql for a retryable (zero delay) failure; returns the job's new state. */
  static Optional<String> recordFailure(long id, UUID token) {
    return db.inTx(
        tx ->
            tx.queryOne(
                sql.recordFailure,
                rs -> rs.getString(1),
                null,
                false,
                0L,
                id,
                token.toString(),
                "java.lang.IllegalStateException: boom",
                "trace"));
  }
}
