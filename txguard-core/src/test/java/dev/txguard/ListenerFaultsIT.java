package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.test.ClassDatabase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * No throwable from a listener changes an outcome: a listener that throws an {@link Error} (a
 * metrics jar missing a class, say) on begin, commit, rollback, retry or leak leaves commits
 * committed, rollbacks rolled back, the right hooks run, and leak sweeping alive. Regression tests
 * for issue 13's listener faults.
 */
class ListenerFaultsIT {
  @RegisterExtension static final ClassDatabase testDb = Fixture.classDatabase();
  static final List<String> leaks = new CopyOnWriteArrayList<>();

  /** Throws an Error from every event, after recording leaks. */
  static final TxListener BROKEN =
      new TxListener() {
        @Override
        public void onBegin(Tx tx) {
          throw new NoClassDefFoundError("io/metrics/Timer (onBegin)");
        }

        @Override
        public void onCommit(Tx tx, Duration elapsed) {
          throw new NoClassDefFoundError("io/metrics/Timer (onCommit)");
        }

        @Override
        public void onRollback(Tx tx, Throwable cause) {
          throw new NoClassDefFoundError("io/metrics/Timer (onRollback)");
        }

        @Override
        public void onRetry(String name, int nextAttempt, Throwable cause, Duration delay) {
          throw new NoClassDefFoundError("io/metrics/Timer (onRetry)");
        }

        @Override
        public void onLeak(LeakReport report) {
          leaks.add(report.name());
          throw new NoClassDefFoundError("io/metrics/Timer (onLeak)");
        }
      };

  static Database db;

  @BeforeAll
  static void setUp() throws Exception {
    testDb.execute("create table t (id int primary key)");
    db =
        Fixture.builder(testDb)
            .poolSize(2)
            .listener(BROKEN)
            .leakThreshold(Duration.ofMillis(50))
            .build();
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @BeforeEach
  void clean() throws Exception {
    testDb.execute("truncate t");
  }

  @Test
  void aCommitStaysACommitAndRunsOnlyAfterCommitHooks() throws Exception {
    List<String> hooks = new CopyOnWriteArrayList<>();
    int result =
        db.inTx(
            tx -> {
              tx.afterCommit(() -> hooks.add("commit"));
              tx.afterRollback(() -> hooks.add("rollback"));
              return tx.update("insert into t values (1)");
            });
    assertThat(result).isEqualTo(1);
    assertThat(hooks).containsExactly("commit");
    assertThat(testDb.queryLong("select count(*) from t")).isEqualTo(1);
  }

  @Test
  void aRollbackStaysARollbackWithTheCallersOwnException() throws Exception {
    List<String> hooks = new CopyOnWriteArrayList<>();
    IllegalStateException thrown = new IllegalStateException("business");
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx -> {
                      tx.afterCommit(() -> hooks.add("commit"));
                      tx.afterRollback(() -> hooks.add("rollback"));
                      tx.update("insert into t values (2)");
                      throw thrown;
                    }))
        .isSameAs(thrown);
    assertThat(hooks).containsExactly("rollback");
    assertThat(testDb.queryLong("select count(*) from t")).isZero();
  }

  @Test
  void aRetryStillHappens() throws Exception {
    int[] attempts = {0};
    db.useTx(
        tx -> {
          attempts[0]++;
          if (tx.attempt() == 1) {
            throw new StatementException(
                "select 1", new java.sql.SQLException("conflict", "40001"));
          }
          tx.update("insert into t values (3)");
        });
    assertThat(attempts[0]).isEqualTo(2);
    assertThat(testDb.queryLong("select count(*) from t")).isEqualTo(1);
  }

  @Test
  void leakSweepingOutlivesAListenerThatThrows() throws Exception {
    for (String name : List.of("first-leak", "second-leak")) {
      try (TxHandle handle = db.begin(TxOptions.defaults().name(name))) {
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!leaks.contains(name)) {
          if (System.nanoTime() > until) {
            throw new AssertionError(
                "no leak report for " + name + " within 60 s; reports so far: " + leaks);
          }
          Thread.sleep(20);
        }
        handle.rollback();
      }
    }
  }

  @Test
  void aFailureWhoseCausesLoopEndsTheUnitAndIsThrown() {
    RuntimeException a = new RuntimeException("a");
    RuntimeException b = new RuntimeException("b", a);
    a.initCause(b); // a -> b -> a
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx -> {
                      try {
                        tx.update("insert into no_such_table values (1)");
                      } catch (StatementException e) {
                        throw a; // the callback replaces the aborting error with a looping chain
                      }
                    }))
        .isSameAs(a);
  }
}
