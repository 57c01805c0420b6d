package dev.txguard.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.txguard.Database;
import dev.txguard.TxHandle;
import dev.txguard.TxOptions;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * The leak checker fails a test for each kind of leak, naming what was left and where. The leaking
 * tests are nested classes run through JUnit's EngineTestKit (the build's test runners skip nested
 * classes), so their failures are asserted here rather than left failing.
 */
class LeakCheckIT {
  /**
   * The nested classes fail on purpose: they run only inside the EngineTestKit runs of this class.
   */
  static boolean runByTheOuterTest(ExtensionContext context) {
    return context.getConfigurationParameter("txguard.inner").isPresent();
  }

  /** What the leaking tests left behind, released after the checks. */
  static final List<AutoCloseable> left = new ArrayList<>();

  @AfterAll
  static void release() throws Exception {
    for (AutoCloseable c : left) {
      try {
        c.close();
      } catch (Exception e) {
        // its database is gone with its test class: closed either way
      }
    }
  }

  private static Events run(Class<?> tests) {
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameter("txguard.inner", "true")
        .selectors(selectClass(tests))
        .execute()
        .testEvents();
  }

  private static String failure(Events events, String method) {
    Event failed =
        events.failed().stream()
            .filter(e -> e.getTestDescriptor().getDisplayName().startsWith(method))
            .findFirst()
            .orElseThrow(
                () -> new AssertionError(method + " did not fail; events: " + events.list()));
    return failed
        .getPayload(org.junit.platform.engine.TestExecutionResult.class)
        .orElseThrow()
        .getThrowable()
        .orElseThrow()
        .getMessage();
  }

  @Test
  void aUnitLeftOpenFailsTheTestNamingTheUnitAndWhereItBegan() {
    Events events = run(LeavesUnitOpen.class);
    String message = failure(events, "leavesAManualUnitOpen");
    assertThat(message)
        .contains("unit 'forgotten' (attempt 1) is still open")
        .contains("LeakCheckIT$LeavesUnitOpen.leavesAManualUnitOpen(LeakCheckIT.java");
    assertThat(events.succeeded().count()).isEqualTo(1); // the clean test of the class passes
  }

  @Test
  void aConnectionLeftBorrowedFailsTheTest() {
    Events events = run(LeavesConnections.class);
    assertThat(failure(events, "borrowsFromTheDataSourceOutsideAUnit"))
        .contains("1 pooled connection(s) borrowed and not returned (level 0: 1 of 2)");
    assertThat(failure(events, "opensAConnectionOutsideThePools"))
        .contains(
            "a connection opened outside txguard's pools (db.openConnection()) was never closed")
        .contains("LeakCheckIT$LeavesConnections.opensAConnectionOutsideThePools(LeakCheckIT.java");
  }

  @Test
  void aSessionAdvisoryLockLeftHeldFailsTheTestNamingTheKeyAndWhereItWasTaken() {
    Events events = run(HoldsAdvisoryLock.class);
    String message = failure(events, "takesASessionLockAndKeepsIt");
    assertThat(message)
        .contains("an advisory lock (ExclusiveLock, key 0/4242) is still held by session")
        .contains("it was taken by 'select pg_advisory_lock(4242)' at:")
        .contains("LeakCheckIT$HoldsAdvisoryLock.takesASessionLockAndKeepsIt(LeakCheckIT.java");
  }

  @EnabledIf("dev.txguard.test.LeakCheckIT#runByTheOuterTest")
  @TxguardTest(poolSize = 2, leakGraceMillis = 100)
  static class LeavesUnitOpen {
    @Test
    void leavesAManualUnitOpen(Database db) {
      TxHandle handle = db.begin(TxOptions.defaults().name("forgotten"));
      handle.tx().queryOne("select 1", rs -> rs.getInt(1));
      left.add(handle);
    }

    @Test
    void closesItsUnit(Database db) {
      try (TxHandle handle = db.begin(TxOptions.defaults().name("closed"))) {
        handle.tx().queryOne("select 1", rs -> rs.getInt(1));
        handle.commit();
      }
    }
  }

  @EnabledIf("dev.txguard.test.LeakCheckIT#runByTheOuterTest")
  @TxguardTest(poolSize = 2, leakGraceMillis = 100)
  static class LeavesConnections {
    @Test
    void borrowsFromTheDataSourceOutsideAUnit(Database db) throws Exception {
      left.add(db.dataSource().getConnection());
    }

    @Test
    void opensAConnectionOutsideThePools(Database db) {
      left.add(db.openConnection());
    }
  }

  @EnabledIf("dev.txguard.test.LeakCheckIT#runByTheOuterTest")
  @TxguardTest(poolSize = 2, leakGraceMillis = 100)
  static class HoldsAdvisoryLock {
    @Test
    void takesASessionLockAndKeepsIt(Database db) throws Exception {
      Connection c = db.openConnection();
      left.add(c);
      try (Statement st = c.createStatement()) {
        st.execute("select pg_advisory_lock(4242)");
      }
    }
  }
}
