package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.test.ClassDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Which failures rerun the callback, and how. */
class RetryIT {
  @RegisterExtension static final ClassDatabase testDb = Fixture.classDatabase();
  static final AtomicInteger retries = new AtomicInteger();
  static Database db;

  @BeforeAll
  static void setUp() throws Exception {
    testDb.execute(
        "create table counter (id int primary key, n int not null)",
        "create table item (sku varchar(100) primary key)");
    db =
        Fixture.builder(testDb)
            .poolSize(8)
            .listener(
                new TxListener() {
                  @Override
                  public void onRetry(
                      String name, int nextAttempt, Throwable cause, Duration delay) {
                    retries.incrementAndGet();
                  }
                })
            .build();
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @BeforeEach
  void clean() throws Exception {
    testDb.execute("truncate counter", "truncate item", "insert into counter values (1, 0)");
    retries.set(0);
  }

  @Test
  void conflictingSerializableIncrementsAllLandExactlyOnce() throws Exception {
    TxOptions serializable =
        TxOptions.defaults()
            .name("increment")
            .isolation(Isolation.SERIALIZABLE)
            .maxAttempts(100)
            .backoff(Duration.ofMillis(1), Duration.ofMillis(20));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      done.add(
          pool.submit(
              () -> {
                for (int i = 0; i < 250; i++) {
                  db.useTx(
                      serializable,
                      tx -> {
                        int n =
                            tx.queryOne("select n from counter where id = 1", rs -> rs.getInt(1))
                                .orElseThrow();
                        tx.update("update counter set n = ? where id = 1", n + 1);
                      });
                }
                return null;
              }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    assertThat(testDb.queryLong("select n from counter where id = 1")).isEqualTo(2000);
    assertThat(retries.get()).isPositive();
    assertThat(Fixture.active(db)).isZero();
  }

  @Test
  void swallowedSerializationFailureIsRetriedAndCommitsOnce() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    db.useTx(
        tx -> {
          attempts.incrementAndGet();
          tx.update("insert into item values ('apple')");
          if (tx.attempt() == 1) {
            try {
              tx.update(Fixture.failWith("40001"));
            } catch (StatementException swallowed) {
              // the naive pattern: log and go on
            }
          }
        });
    assertThat(attempts.get()).isEqualTo(2);
    assertThat(retries.get()).isEqualTo(1);
    assertThat(testDb.queryLong("select count(*) from item")).isEqualTo(1);
  }

  @Test
  void deadlockIsRetried() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    String result =
        db.inTx(
            tx -> {
              if (attempts.incrementAndGet() < 3) {
                tx.update(Fixture.failWith("40P01"));
              }
              return "ok on attempt " + tx.attempt();
            });
    assertThat(result).isEqualTo("ok on attempt 3");
  }

  @Test
  void businessErrorsPassAtOnce() {
    AtomicInteger attempts = new AtomicInteger();
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx -> {
                      attempts.incrementAndGet();
                      tx.update("insert into item values ('pear')");
                      tx.update("insert into item values ('pear')");
                    }))
        .isInstanceOf(StatementException.class)
        .satisfies(
            e ->
                assertThat(((StatementException) e).sqlState())
                    .isEqualTo(Fixture.uniqueViolation()));
    assertThat(attempts.get()).isEqualTo(1);
    assertThat(retries.get()).isZero();
  }

  @Test
  void retryableErrorDeepInTheCauseChainIsRecognised() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    db.useTx(
        tx -> {
          if (attempts.incrementAndGet() == 1) {
            SQLException deep = new SQLException("could not serialize", "40001");
            throw new IllegalStateException("wrapped by a repository", new RuntimeException(deep));
          }
        });
    assertThat(attempts.get()).isEqualTo(2);
  }

  @Test
  void exhaustedRetriesKeepEveryFailure() {
    TxOptions three =
        TxOptions.defaults().name("doomed").maxAttempts(3).backoff(Duration.ZERO, Duration.ZERO);
    assertThatThrownBy(() -> db.useTx(three, tx -> tx.update(Fixture.failWith("40001"))))
        .isInstanceOf(RetriesExhaustedException.class)
        .hasMessageContaining("unit 'doomed' failed after 3 attempts")
        .hasMessageContaining("SQLSTATE 40001")
        .satisfies(
            e -> {
              assertThat(((RetriesExhaustedException) e).attempts()).isEqualTo(3);
              assertThat(e.getSuppressed())
                  .hasSize(2)
                  .allSatisfy(s -> assertThat(s).isInstanceOf(StatementException.class));
            });
    assertThat(retries.get()).isEqualTo(2);
  }

  @Test
  void killedBackendBeforeCommitIsRetriedOnANewConnection() throws Exception {
    List<Integer> pids = new ArrayList<>();
    db.useTx(
        tx -> {
          int pid = tx.queryOne(Fixture.sessionIdQuery(), rs -> rs.getInt(1)).orElseThrow();
          pids.add(pid);
          tx.update("insert into item values ('kiwi')");
          if (tx.attempt() == 1) {
            Fixture.terminate(testDb, pid);
            tx.update("insert into item values ('mango')");
          }
        });
    assertThat(pids).hasSize(2);
    assertThat(pids.get(1)).isNotEqualTo(pids.get(0));
    assertThat(testDb.queryLong("select count(*) from item")).isEqualTo(1);
    assertThat(Fixture.active(db)).isZero();
  }

  @Test
  @PostgresOnly("the server's severity field: ERROR keeps the session")
  void aConnectionErrorTheServerReportsAsAnErrorIsNotRetried() throws Exception {
    // as postgres_fdw or dblink report a foreign server they could not reach
    AtomicInteger attempts = new AtomicInteger();
    List<Integer> pids = new ArrayList<>();
    try (Database one = Fixture.builder(testDb).poolSize(1).build()) {
      assertThatThrownBy(
              () ->
                  one.useTx(
                      tx -> {
                        attempts.incrementAndGet();
                        pids.add(
                            tx.queryOne(Fixture.sessionIdQuery(), rs -> rs.getInt(1))
                                .orElseThrow());
                        tx.update("insert into item values ('fig')");
                        tx.update(Fixture.failWith("08001"));
                      }))
          .isInstanceOf(StatementException.class)
          .satisfies(e -> assertThat(((StatementException) e).sqlState()).isEqualTo("08001"));
      assertThat(attempts.get()).isEqualTo(1);
      assertThat(testDb.queryLong("select count(*) from item")).isZero();
    }
  }

  @Test
  void deadlineBoundsRetries() {
    TxOptions bounded =
        TxOptions.defaults()
            .name("short")
            .timeout(Duration.ofMillis(300))
            .maxAttempts(1000)
            .backoff(Duration.ofMillis(50), Duration.ofMillis(50));
    long start = System.nanoTime();
    assertThatThrownBy(() -> db.useTx(bounded, tx -> tx.update(Fixture.failWith("40001"))))
        .isInstanceOf(TxTimeoutException.class)
        .hasMessageContaining("unit 'short'");
    // bounded by the deadline, not by the attempts: their backoff alone would take 50 s (no speed
    // is asserted, only that they did not all run)
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .as("time until the unit gave up (1000 attempts would back off for 50 s)")
        .isLessThan(Duration.ofSeconds(25));
  }

  @Test
  void caughtSerializationFailureRethrownAsABusinessErrorIsStillRetried() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    String outcome =
        db.inTx(
            tx -> {
              if (attempts.incrementAndGet() == 1) {
                try {
                  tx.update(Fixture.failWith("40001"));
                } catch (StatementException e) {
                  throw new IllegalStateException(
                      "out of stock"); // the 40001 is not in this exception's chain
                }
              }
              return "shipped";
            });
    assertThat(outcome).isEqualTo("shipped");
    assertThat(attempts.get()).isEqualTo(2);
    assertThat(retries.get()).isEqualTo(1);
  }

  @Test
  void businessErrorAfterANonRetryableErrorIsNotRetried() {
    AtomicInteger attempts = new AtomicInteger();
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx -> {
                      attempts.incrementAndGet();
                      try {
                        tx.update("insert into item values ('fig')");
                        tx.update("insert into item values ('fig')");
                      } catch (StatementException e) {
                        throw new IllegalStateException("duplicate product");
                      }
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("duplicate product");
    assertThat(attempts.get()).isEqualTo(1);
  }

  @Test
  void lossOfAnotherConnectionTheCallbackUsedIsNotRetried() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx -> {
                      attempts.incrementAndGet();
                      tx.update("insert into item values ('plum')");
                      try (Connection side = db.openConnection()) {
                        side.createStatement()
                            .execute("insert into item values ('side effect')"); // autocommit: done
                        int pid;
                        try (var rs =
                            side.createStatement().executeQuery(Fixture.sessionIdQuery())) {
                          rs.next();
                          pid = rs.getInt(1);
                        }
                        Fixture.terminate(testDb, pid);
                        side.createStatement()
                            .execute("select 1"); // the side connection is gone: class 08
                      }
                    }))
        .isInstanceOf(SQLException.class)
        .satisfies(
            e -> assertThat(((SQLException) e).getSQLState()).matches("08...|57P0[1-3]|70100"));
    assertThat(attempts.get()).isEqualTo(1);
    assertThat(testDb.queryLong("select count(*) from item where sku = 'side effect'"))
        .isEqualTo(1);
    assertThat(testDb.queryLong("select count(*) from item where sku = 'plum'")).isZero();
    assertThat(Fixture.active(db)).isZero();
  }

  @Test
  void closingTheDatabaseWhileAUnitWaitsToRetryEndsItWithTheEarlierFailure() throws Exception {
    Database closing = Fixture.builder(testDb).poolSize(1).build();
    AtomicInteger attempts = new AtomicInteger();
    assertThatThrownBy(
            () ->
                closing.useTx(
                    tx -> {
                      attempts.incrementAndGet();
                      Thread closer = Thread.ofPlatform().start(closing::close);
                      closer.join();
                      throw new IllegalStateException(
                          "conflict", new SQLException("simulated", "40001"));
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is closed")
        .satisfies(
            e ->
                assertThat(e.getSuppressed())
                    .anySatisfy(s -> assertThat(s).hasMessage("conflict")));
    assertThat(attempts.get()).isEqualTo(1);
  }
}
