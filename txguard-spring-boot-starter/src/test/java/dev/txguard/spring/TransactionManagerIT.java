package dev.txguard.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.Database;
import dev.txguard.RetriesExhaustedException;
import dev.txguard.TransactionAbortedException;
import dev.txguard.TxTimeoutException;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The transaction manager with one connection per pool level: REQUIRES_NEW must run a level up (a
 * pool of one would otherwise wait for the connection its caller holds until the 2 s timeout).
 */
@TxguardTest(queue = false)
@SpringBootTest(
    classes = TestApp.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "txguard.pool-size=1", "txguard.level-pool-size=1", "txguard.max-levels=4",
      "txguard.connection-timeout=2s", "txguard.queue.enabled=false", "txguard.leak-threshold=1s"
    })
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class TransactionManagerIT {
  @Injected static TestDatabase tdb;

  @Autowired TestApp.Notes notes;
  @Autowired JdbcTemplate jdbc;
  @Autowired PlatformTransactionManager manager;
  @Autowired Database db;
  @Autowired TestApp.LeakRecorder leaks;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    registry.add("txguard.url", () -> tdb.url());
    registry.add("txguard.username", () -> tdb.user());
    registry.add("txguard.password", () -> tdb.password());
  }

  @BeforeAll
  static void schema() throws Exception {
    tdb.execute(TestApp.SCHEMA);
  }

  @BeforeEach
  void clean() throws Exception {
    tdb.execute("truncate note");
    notes.afterCommit().clear();
  }

  private List<String> notes() throws Exception {
    return tdb.query("select text from note order by id").stream()
        .map(r -> (String) r.get(0))
        .toList();
  }

  @Test
  void theManagerIsTxguards() {
    assertThat(manager).isInstanceOf(TxguardTransactionManager.class);
    assertThat(((TxguardTransactionManager) manager).database()).isSameAs(db);
  }

  @Test
  void requiresNewInsideRequiredCompletesWithOneConnectionPerLevel() throws Exception {
    ExecutorService ex = Executors.newSingleThreadExecutor();
    try {
      // three levels: REQUIRED at 0, REQUIRES_NEW at 1, REQUIRES_NEW at 2, each pool of one
      Future<?> run = ex.submit(() -> notes.outerThenNew("a", 2, false));
      try {
        run.get(60, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        throw new AssertionError(
            "REQUIRED -> REQUIRES_NEW -> REQUIRES_NEW did not finish in 60 s; notes so far: "
                + notes(),
            e);
      }
    } finally {
      ex.shutdownNow();
    }
    assertThat(notes()).containsExactly("a", "a-new2", "a-new1");
    List<List<Object>> txids = tdb.query("select count(distinct txid) from note");
    assertThat(((Number) txids.get(0).get(0)).intValue())
        .as("three independent transactions")
        .isEqualTo(3);
  }

  @Test
  void requiresNewCommitsEvenWhenItsCallerRollsBack() throws Exception {
    assertThatThrownBy(() -> notes.outerThenNew("b", 1, true))
        .isInstanceOf(IllegalStateException.class);
    assertThat(notes()).containsExactly("b-new1");
  }

  @Test
  void aSwallowedDataIntegrityViolationMakesTheMethodFail() throws Exception {
    assertThatThrownBy(() -> notes.swallowDuplicate("dup"))
        .isInstanceOf(TransactionAbortedException.class)
        .hasMessageContaining("23505");
    assertThat(notes()).as("nothing committed").isEmpty();
  }

  @Test
  void afterCommitRunsOnceAndOnlyAfterTheCommit() throws Exception {
    notes.withAfterCommit("c", false);
    // the hook saw the note committed (count 1 on another connection) and ran outside the unit
    assertThat(notes.afterCommit()).containsExactly("c:1:false");
    assertThatThrownBy(() -> notes.withAfterCommit("d", true))
        .isInstanceOf(IllegalStateException.class);
    assertThat(notes.afterCommit()).as("not after a rollback").containsExactly("c:1:false");
    assertThat(notes()).containsExactly("c");
  }

  @Test
  void jdbcTemplateSeesTheUnitsConnection() {
    long[] ids = notes.txids();
    assertThat(ids[1]).isEqualTo(ids[0]);
  }

  @Test
  void isolationReadOnlyAndTimeoutBecomeTheUnitsOptions() {
    List<String> s = notes.settings();
    assertThat(s.get(0)).isEqualTo("serializable");
    assertThat(s.get(1)).isEqualTo("on");
    assertThat(s.get(2))
        .as("statement_timeout from the 7 s deadline")
        .endsWith("s")
        .isNotEqualTo("0");
  }

  @Test
  void aTimeoutIsTheUnitsDeadline() {
    // txguard ends the unit at its 1 s deadline: the statement is cancelled (JdbcTemplate reports
    // SQLSTATE 57014 as QueryTimeoutException) or, when the cancel does not land first, the
    // connection is aborted (08006; with one attempt, as @Transactional units have, core reports
    // RetriesExhaustedException, as db.inTx with maxAttempts(1) does), or TxTimeoutException
    assertThatThrownBy(() -> notes.sleepPastDeadline())
        .isInstanceOfAny(
            QueryTimeoutException.class, TxTimeoutException.class, RetriesExhaustedException.class)
        .satisfies(
            e ->
                assertThat(e.toString() + e.getCause())
                    .containsAnyOf("57014", "canceling statement", "08006", "timeout"));
    // the unit's release waited for the watchdog's discard, so the slot is free the moment the
    // exception arrives (it used to be freed on the watchdog's thread a moment later: this failed
    // under load, with or without any change to the queue)
    assertThat(db.poolStats().get(0).active())
        .as("the unit ended and gave its connection back")
        .isZero();
  }

  @Test
  void nestedRollsBackToASavepointOnly() throws Exception {
    notes.outerThenNested("e");
    assertThat(notes()).containsExactly("e", "e-after");
  }

  @Test
  void transactionTemplateRunsAUnitAndSetRollbackOnlyRollsItBack() throws Exception {
    TransactionTemplate template = new TransactionTemplate(manager);
    template.executeWithoutResult(s -> jdbc.update("insert into note(text) values ('t1')"));
    String result =
        template.execute(
            s -> {
              jdbc.update("insert into note(text) values ('t2')");
              s.setRollbackOnly();
              return "returned";
            });
    assertThat(result).isEqualTo("returned");
    assertThat(notes()).containsExactly("t1");
  }

  @Test
  void mandatoryWithoutATransactionIsRefused() {
    TransactionTemplate template = new TransactionTemplate(manager);
    template.setPropagationBehavior(TransactionDefinition.PROPAGATION_MANDATORY);
    template.setName("mandatory-work");
    assertThatThrownBy(() -> template.execute(s -> 1))
        .hasMessageContaining(
            "'mandatory-work' has propagation MANDATORY but no transaction is open");
  }

  @Test
  void txRetryInsideATransactionIsRefusedNamingTheMethodAndTheUnit() throws Exception {
    assertThatThrownBy(() -> notes.callsRetriedInside())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(
            "@TxRetry on dev.txguard.spring.TestApp$Inner.retried is not at the outermost"
                + " transactional boundary")
        .hasMessageContaining(
            "unit 'dev.txguard.spring.TestApp$Notes.callsRetriedInside' is already open");
    assertThat(notes()).isEmpty();
  }

  @Test
  void theImperativeApiIsRefusedWithWhatToUseInstead() {
    assertThatThrownBy(() -> manager.getTransaction(TransactionDefinition.withDefaults()))
        .hasMessageContaining("Use @Transactional or TransactionTemplate.execute(...)");
  }

  @Test
  void aTransactionalMethodOpenTooLongIsReportedToTxListenerBeans() throws Exception {
    var report = notes.holdUntilReported(leaks);
    assertThat(report)
        .as("a leak report within 30 s for a unit open past the 1 s threshold")
        .isPresent();
    assertThat(report.get().name()).isEqualTo("dev.txguard.spring.TestApp$Notes.holdUntilReported");
    assertThat(report.get().stack()).anyMatch(f -> f.getMethodName().equals("holdUntilReported"));
  }
}
