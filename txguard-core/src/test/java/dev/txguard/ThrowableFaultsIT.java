package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.test.ClassDatabase;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * From the break-it run on issue 13: listeners and hooks that throw throwables which cannot even be
 * described (their message throws), and failures whose cause or next-exception chains loop.
 */
@PostgresOnly("break-it tests of listener faults and cause chains, written against PostgreSQL only")
class ThrowableFaultsIT {
  @RegisterExtension static final ClassDatabase testDb = Fixture.classDatabase();

  /**
   * A throwable whose message cannot be read: a lazily built message whose argument fails (a
   * Hibernate proxy outside its session, say). Printing it, as a logger does, throws.
   */
  static final class Poisoned extends RuntimeException {
    Poisoned(String where) {
      super(where);
    }

    @Override
    public String getMessage() {
      throw new IllegalStateException("the message of a Poisoned cannot be built");
    }
  }

  /** Which listener event throws a Poisoned; set per test. */
  static volatile String poisonOn = "";

  static final List<String> events = new CopyOnWriteArrayList<>();

  static final TxListener POISONING =
      new TxListener() {
        @Override
        public void onCommit(Tx tx, Duration elapsed) {
          events.add("commit");
          if (poisonOn.equals("commit")) {
            throw new Poisoned("onCommit");
          }
        }

        @Override
        public void onRollback(Tx tx, Throwable cause) {
          events.add("rollback");
          if (poisonOn.equals("rollback")) {
            throw new Poisoned("onRollback");
          }
        }

        @Override
        public void onRetry(String name, int nextAttempt, Throwable cause, Duration delay) {
          events.add("retry");
          if (poisonOn.equals("retry")) {
            throw new Poisoned("onRetry");
          }
        }
      };

  static Database db;
  static final ExecutorService bounded =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "brk13-bounded");
            t.setDaemon(true);
            return t;
          });

  @BeforeAll
  static void setUp() throws Exception {
    testDb.execute("create table t (id int primary key)");
    db = Fixture.builder(testDb).poolSize(2).listener(POISONING).build();
  }

  @AfterAll
  static void tearDown() {
    db.close();
    bounded.shutdownNow();
  }

  @BeforeEach
  void clean() throws Exception {
    testDb.execute("truncate t");
    poisonOn = "";
    events.clear();
  }

  /** Runs {@code work} on another thread, failing (not hanging) after 30 s. */
  static <T> T within30s(String what, java.util.concurrent.Callable<T> work) throws Throwable {
    Future<T> f = bounded.submit(work);
    try {
      return f.get(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new AssertionError(what + " did not end within 30 s (it spins or hangs)");
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause();
    }
  }

  @Test
  void aCommitStaysACommitWhenTheListenersThrowableCannotBePrinted() throws Exception {
    poisonOn = "commit";
    List<String> hooks = new CopyOnWriteArrayList<>();
    Throwable thrown = null;
    try {
      db.inTx(
          tx -> {
            tx.afterCommit(() -> hooks.add("commit"));
            tx.afterRollback(() -> hooks.add("rollback"));
            return tx.update("insert into t values (1)");
          });
    } catch (Throwable e) {
      thrown = e;
    }
    long rows = testDb.queryLong("select count(*) from t");
    assertThat(List.of(String.valueOf(thrown), rows, hooks))
        .as("inTx's throwable, the rows committed, the hooks run")
        .isEqualTo(List.of("null", 1L, List.of("commit")));
  }

  @Test
  void everyAfterCommitHookRunsAndInTxReturnsWhenAHooksThrowableCannotBePrinted() throws Exception {
    List<String> hooks = new CopyOnWriteArrayList<>();
    Throwable thrown = null;
    try {
      db.inTx(
          tx -> {
            tx.afterCommit(
                () -> {
                  throw new Poisoned("first hook");
                });
            tx.afterCommit(() -> hooks.add("second"));
            return tx.update("insert into t values (2)");
          });
    } catch (Throwable e) {
      thrown = e;
    }
    long rows = testDb.queryLong("select count(*) from t");
    assertThat(List.of(String.valueOf(thrown), rows, hooks))
        .as("inTx's throwable, the rows committed, the hooks run")
        .isEqualTo(List.of("null", 1L, List.of("second")));
  }

  @Test
  void aRollbackKeepsTheCallersExceptionWhenTheListenersThrowableCannotBePrinted() {
    poisonOn = "rollback";
    IllegalStateException business = new IllegalStateException("business");
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx -> {
                      tx.update("insert into t values (3)");
                      throw business;
                    }))
        .isSameAs(business);
  }

  @Test
  void aRetryStillHappensWhenTheListenersThrowableCannotBePrinted() throws Exception {
    poisonOn = "retry";
    AtomicInteger attempts = new AtomicInteger();
    db.useTx(
        tx -> {
          if (attempts.incrementAndGet() == 1) {
            throw new StatementException("select 1", new SQLException("conflict", "40001"));
          }
          tx.update("insert into t values (4)");
        });
    assertThat(attempts).hasValue(2);
    assertThat(testDb.queryLong("select count(*) from t")).isEqualTo(1);
  }

  /** A throwable whose cause cannot be read. */
  static final class CauseThrows extends RuntimeException {
    CauseThrows() {
      super("cause throws");
    }

    @Override
    public synchronized Throwable getCause() {
      throw new IllegalStateException("the cause of a CauseThrows cannot be read");
    }
  }

  @Test
  void aCallbacksUnprintableThrowableIsRethrownAsIsAfterRollback() throws Exception {
    Poisoned poisoned = new Poisoned("callback");
    List<String> hooks = new CopyOnWriteArrayList<>();
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx -> {
                      tx.afterRollback(() -> hooks.add("rollback"));
                      tx.update("insert into t values (7)");
                      throw poisoned;
                    }))
        .isSameAs(poisoned);
    assertThat(hooks).containsExactly("rollback");
    assertThat(testDb.queryLong("select count(*) from t")).isZero();
  }

  @Test
  void aCallbacksThrowableWithAnUnreadableCauseIsRethrownAsIs() {
    CauseThrows thrown = new CauseThrows();
    List<String> hooks = new CopyOnWriteArrayList<>();
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx -> {
                      tx.afterRollback(() -> hooks.add("rollback"));
                      throw thrown;
                    }))
        .isSameAs(thrown);
    assertThat(hooks).containsExactly("rollback");
  }

  @Test
  void leakSweepingOutlivesAnOnLeakThatThrowsAnUnprintableThrowable() throws Exception {
    List<String> leaks = new CopyOnWriteArrayList<>();
    try (Database leaky =
        Fixture.builder(testDb)
            .poolSize(2)
            .leakThreshold(Duration.ofMillis(50))
            .listener(
                new TxListener() {
                  @Override
                  public void onLeak(LeakReport report) {
                    leaks.add(report.name());
                    throw new Poisoned("onLeak");
                  }
                })
            .build()) {
      for (String name : List.of("first-leak", "second-leak")) {
        try (TxHandle handle = leaky.begin(TxOptions.defaults().name(name))) {
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
  }

  // ---- cycle-safe cause chains

  @Test
  void aCauseCycleThroughARetryableSqlStateIsRetriedAndEnds() throws Throwable {
    AtomicInteger attempts = new AtomicInteger();
    within30s(
        "a unit whose failure's causes loop through a 40001",
        () -> {
          db.useTx(
              tx -> {
                if (attempts.incrementAndGet() == 1) {
                  RuntimeException a = new RuntimeException("a");
                  SQLException b = new SQLException("conflict", "40001", a);
                  a.initCause(b); // a -> b -> a
                  throw a;
                }
                tx.update("insert into t values (5)");
              });
          return null;
        });
    assertThat(attempts).hasValue(2);
  }

  @Test
  void aSelfSuppressedAndSuppressedCycleIsThrownAsIs() throws Throwable {
    RuntimeException a = new RuntimeException("a");
    RuntimeException b = new RuntimeException("b", a);
    a.addSuppressed(b); // a suppresses b, whose cause is a
    Throwable thrown =
        within30s(
            "a unit failing with a suppressed cycle",
            () -> {
              try {
                db.useTx(
                    tx -> {
                      tx.update("insert into t values (6)");
                      throw a;
                    });
                return null;
              } catch (RuntimeException e) {
                return e;
              }
            });
    assertThat(thrown).isSameAs(a);
    assertThat(testDb.queryLong("select count(*) from t")).isZero();
  }

  @Test
  void aTenThousandLongCauseChainEndsAndIsNotRetried() throws Throwable {
    AtomicInteger attempts = new AtomicInteger();
    Throwable thrown =
        within30s(
            "a unit failing with 10,000 causes",
            () -> {
              try {
                db.useTx(
                    tx -> {
                      attempts.incrementAndGet();
                      Throwable chain = new RuntimeException("root");
                      for (int i = 0; i < 10_000; i++) {
                        chain = new RuntimeException("level " + i, chain);
                      }
                      throw (RuntimeException) chain;
                    });
                return null;
              } catch (RuntimeException e) {
                return e;
              }
            });
    assertThat(thrown).hasMessage("level 9999");
    assertThat(attempts).hasValue(1);
  }

  @Test
  void aSerializationFailureUnderAHundredWrappersIsStillRetried() throws Throwable {
    AtomicInteger attempts = new AtomicInteger();
    within30s(
        "a unit failing with a 40001 under 100 wrappers",
        () -> {
          db.useTx(
              tx -> {
                if (attempts.incrementAndGet() == 1) {
                  Throwable chain = new SQLException("conflict", "40001");
                  for (int i = 0; i < 100; i++) {
                    chain = new RuntimeException("wrapper " + i, chain);
                  }
                  throw (RuntimeException) chain;
                }
              });
          return null;
        });
    assertThat(attempts).hasValue(2);
  }

  @Test
  void aNextExceptionCycleEnds() throws Throwable {
    SQLException a = new SQLException("a", "23505");
    SQLException b = new SQLException("b", "23503");
    a.setNextException(b);
    b.setNextException(a); // b's chain ends at b; now a -> b -> a
    Throwable thrown =
        within30s(
            "a unit failing with a next-exception cycle",
            () -> {
              try {
                db.useTx(
                    tx -> {
                      throw a;
                    });
                return null;
              } catch (SQLException e) {
                return e;
              }
            });
    assertThat(thrown).isSameAs(a);
  }

  @Test
  void aNextExceptionCycleThroughARetryableStateIsRetried() throws Throwable {
    AtomicInteger attempts = new AtomicInteger();
    within30s(
        "a unit failing with a next-exception cycle holding a 40P01",
        () -> {
          db.useTx(
              tx -> {
                if (attempts.incrementAndGet() == 1) {
                  SQLException a = new SQLException("a", "23505");
                  SQLException b = new SQLException("deadlock", "40P01");
                  a.setNextException(b);
                  b.setNextException(a);
                  throw a;
                }
              });
          return null;
        });
    assertThat(attempts).hasValue(2);
  }
}
