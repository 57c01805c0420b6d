package dev.txguard.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.CommitOutcomeUnknownException;
import dev.txguard.Database;
import dev.txguard.Isolation;
import dev.txguard.TxOptions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@TxguardTest
class FaultInjectionIT {
  @Injected static TestDatabase tdb;
  @Injected Database db;
  @Injected FaultInjector faults;
  @Injected UnitLog units;

  static final TxOptions MOVE =
      TxOptions.defaults().name("move").backoff(Duration.ZERO, Duration.ZERO);

  @BeforeAll
  static void schema() throws Exception {
    tdb.execute("create table item (id int primary key, qty int not null)");
  }

  @BeforeEach
  void rows() throws Exception {
    tdb.execute("truncate item", "insert into item values (1, 10), (2, 0)");
  }

  private void move() {
    db.useTx(
        MOVE,
        tx -> {
          tx.update("update item set qty = qty - 1 where id = 1");
          tx.update("update item set qty = qty + 1 where id = 2");
        });
  }

  @Test
  void theNthStatementFailsWithTheRealSqlStateAndTheUnitIsRetriedOnce() throws Exception {
    try (FaultScope scope =
        faults.inject(Fault.serializationFailure().atStatement(2).inUnit("move"))) {
      move();
      assertThat(scope.fired()).isEqualTo(1);
    }
    assertThat(faults.injections())
        .containsExactly(
            new Injection("move", 1, 2, "update item set qty = qty + 1 where id = 2", "40001"));
    units.assertCommitted("move").assertRetried("move", 1);
    assertThat(tdb.query("select qty from item order by id"))
        .isEqualTo(List.of(List.of(9), List.of(1)));
  }

  @Test
  void aDeadlockAtCommitRollsTheAttemptBackAndTheRetryCommitsOnce() throws Exception {
    faults.during(
        Fault.deadlock().atCommit(),
        () -> {
          move();
          return null;
        });
    assertThat(faults.injections())
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.atCommit()).isTrue();
              assertThat(i.sqlState()).isEqualTo("40P01");
            });
    units.assertRetried("move", 1);
    assertThat(tdb.query("select qty from item order by id"))
        .isEqualTo(List.of(List.of(9), List.of(1)));
  }

  @Test
  void aLostConnectionBeforeCommitIsRetriedAndAtCommitResolvedAsNotCommittedThenRetried()
      throws Exception {
    try (FaultScope ignored = faults.inject(Fault.connectionLoss().atStatement(1))) {
      move();
    }
    units.assertRetried("move", 1);
    try (FaultScope ignored = faults.inject(Fault.connectionLoss().atCommit())) {
      move(); // the COMMIT never reached the server: resolved as not committed, and retried
    }
    assertThat(faults.injections()).hasSize(2);
    assertThat(tdb.queryLong("select qty from item where id = 1")).isEqualTo(8);
    try (FaultScope ignored = faults.inject(Fault.connectionLoss().atCommit())) {
      assertThatThrownBy(
              () ->
                  db.useTx(
                      TxOptions.defaults().name("move").resolveLostCommit(false),
                      tx -> tx.update("update item set qty = qty - 1 where id = 1")))
          .isInstanceOf(CommitOutcomeUnknownException.class);
    }
    assertThat(tdb.queryLong("select qty from item where id = 1")).isEqualTo(8);
  }

  @Test
  void txguardsOwnSetupStatementIsNotCountedSoStatementOneIsTheCallbacksFirst() throws Exception {
    TxOptions strict = MOVE.isolation(Isolation.SERIALIZABLE).timeout(Duration.ofSeconds(30));
    try (FaultScope ignored = faults.inject(Fault.serializationFailure().atStatement(1))) {
      db.useTx(strict, tx -> tx.update("update item set qty = 5 where id = 1"));
    }
    assertThat(faults.injections())
        .singleElement()
        .satisfies(i -> assertThat(i.sql()).isEqualTo("update item set qty = 5 where id = 1"));
  }

  @Test
  void aFaultForOneUnitNameLeavesOtherUnitsAlone() throws Exception {
    try (FaultScope scope =
        faults.inject(Fault.serializationFailure().atStatement(1).inUnit("other"))) {
      move();
      assertThat(scope.fired()).isZero();
    }
    units.assertRetried("move", 0);
  }

  @Test
  void randomFaultsWithTheSameSeedHitTheSameStatements() throws Exception {
    List<Injection> first = randomRun(7);
    List<Injection> second = randomRun(7);
    assertThat(first).isNotEmpty().isEqualTo(second);
  }

  private List<Injection> randomRun(long seed) throws Exception {
    faults.reset();
    try (FaultScope ignored = faults.inject(Fault.serializationFailure().randomly(0.3, seed))) {
      for (int i = 0; i < 10; i++) {
        db.useTx(
            MOVE.maxAttempts(20),
            tx -> {
              tx.update("update item set qty = qty where id = 1");
              tx.update("update item set qty = qty where id = 2");
            });
      }
    }
    return faults.injections();
  }

  @Test
  void aFaultNeverOutlivesItsScope() throws Exception {
    try (FaultScope ignored = faults.inject(Fault.serializationFailure().atStatement(1).times(3))) {
      move(); // attempts 1 to 3 fail at their first statement, attempt 4 commits
    }
    units.assertRetried("move", 3);
    move();
    assertThat(faults.injections()).hasSize(3);
    units.assertRetried("move", 3);
  }

  @Test
  void badFaultsAreRefusedWithTheRule() {
    assertThatThrownBy(() -> Fault.deadlock().atStatement(0))
        .hasMessage("statement positions start at 1, was 0");
    assertThatThrownBy(() -> Fault.deadlock().randomly(1.5, 1))
        .hasMessage("probability must be in (0, 1], was 1.5");
    assertThatThrownBy(() -> Fault.deadlock().inUnit(" "))
        .hasMessageContaining("unit name must not be blank");
  }
}
