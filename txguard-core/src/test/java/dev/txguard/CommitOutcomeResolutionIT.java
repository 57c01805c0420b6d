package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.internal.CommitResolutions;
import dev.txguard.internal.CommitResolutions.Outcome;
import dev.txguard.test.FaultProxy;
import dev.txguard.test.PostgresExtension;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A connection lost during COMMIT is resolved on another connection (pg_xact_status): the caller
 * hears "committed" or a failure before COMMIT, and "unknown" only while the server cannot be
 * reached. A real TCP proxy between the driver and the server loses the COMMIT or its reply.
 */
@PostgresOnly(
    "a lost COMMIT is resolved with pg_xact_status, which MariaDB lacks (MARIADB.md, commit outcome), through a proxy reading PostgreSQL's wire protocol")
class CommitOutcomeResolutionIT {
  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();
  static FaultProxy proxy;
  static Database db;
  static final AtomicInteger commits = new AtomicInteger();
  static final AtomicInteger rollbacks = new AtomicInteger();

  @BeforeAll
  static void setUp() throws Exception {
    pg.execute("create table resolved_row (id int primary key)");
    proxy = new FaultProxy(pg.server());
    db =
        Database.builder()
            .url(proxy.jdbcUrl(pg.database()))
            .user(pg.user())
            .password(pg.password())
            .connectionTimeout(Duration.ofSeconds(5))
            .poolSize(2)
            .listener(
                new TxListener() {
                  @Override
                  public void onCommit(Tx tx, Duration elapsed) {
                    commits.incrementAndGet();
                  }

                  @Override
                  public void onRollback(Tx tx, Throwable cause) {
                    rollbacks.incrementAndGet();
                  }
                })
            .build();
  }

  @AfterAll
  static void tearDown() throws Exception {
    db.close();
    proxy.close();
  }

  @BeforeEach
  void clean() throws Exception {
    pg.execute("truncate resolved_row");
    commits.set(0);
    rollbacks.set(0);
  }

  @AfterEach
  void up() {
    proxy.down(false);
  }

  /** The fault: 48 of 65 "outcome unknown" units of the fault probe had in fact committed. */
  @Test
  void commitOutcomeUnknownForAUnitThatHadCommitted() throws Exception {
    long before = CommitResolutions.count(Outcome.COMMITTED);
    AtomicInteger runs = new AtomicInteger();
    AtomicInteger hooks = new AtomicInteger();
    proxy.cutReplyOfNextCommit("resolved_row");

    int result =
        db.inTx(
            tx -> {
              runs.incrementAndGet();
              tx.update("insert into resolved_row values (1)");
              tx.afterCommit(hooks::incrementAndGet);
              return 42;
            });

    assertThat(result).isEqualTo(42);
    assertThat(proxy.cuts()).as("cuts made by the proxy").isPositive();
    assertThat(runs).as("callback runs").hasValue(1);
    assertThat(hooks).as("after-commit hooks run").hasValue(1);
    assertThat(commits).as("listener commits").hasValue(1);
    assertThat(pg.queryLong("select count(*) from resolved_row")).isEqualTo(1);
    assertThat(CommitResolutions.count(Outcome.COMMITTED) - before).isEqualTo(1);
  }

  /** The fault: 17 of 65 "outcome unknown" units had not committed and could have been retried. */
  @Test
  void commitOutcomeUnknownForAUnitThatHadNotCommitted() throws Exception {
    long before = CommitResolutions.count(Outcome.NOT_COMMITTED);
    AtomicInteger runs = new AtomicInteger();
    proxy.cutBeforeNextCommit("resolved_row");

    db.useTx(
        tx -> {
          runs.incrementAndGet();
          tx.update("insert into resolved_row values (2)");
        });

    assertThat(runs).as("callback runs: the lost attempt, then the retry").hasValue(2);
    assertThat(pg.queryLong("select count(*) from resolved_row where id = 2")).isEqualTo(1);
    assertThat(CommitResolutions.count(Outcome.NOT_COMMITTED) - before).isEqualTo(1);
  }

  @Test
  void aLostCommitThatDidNotCommitFailsAsTheLostConnectionWhenNotRetried() throws Exception {
    proxy.cutBeforeNextCommit("resolved_row");

    assertThatThrownBy(
            () ->
                db.useTx(
                    TxOptions.defaults().name("once").maxAttempts(1),
                    tx -> tx.update("insert into resolved_row values (3)")))
        .isInstanceOf(RetriesExhaustedException.class)
        .hasMessageContaining("did not commit")
        .cause()
        .isInstanceOf(StatementException.class)
        .isNotInstanceOf(CommitOutcomeUnknownException.class)
        .satisfies(e -> assertThat(((StatementException) e).sqlState()).startsWith("08"));
    assertThat(pg.queryLong("select count(*) from resolved_row")).isZero();
    assertThat(commits).as("listener commits").hasValue(0);
  }

  @Test
  void aLostCommitStaysUnknownOnlyWhileTheServerIsUnreachable() throws Exception {
    long before = CommitResolutions.count(Outcome.UNKNOWN);
    proxy.cutReplyOfNextCommitThenGoDown("resolved_row");

    assertThatThrownBy(
            () ->
                db.useTx(
                    TxOptions.defaults().name("unreachable").timeout(Duration.ofSeconds(2)),
                    tx -> tx.update("insert into resolved_row values (4)")))
        .isInstanceOf(CommitOutcomeUnknownException.class)
        .hasMessageContaining("unit 'unreachable'")
        .hasMessageContaining("asked pg_xact_status on a new connection")
        .hasMessageContaining("connecting failed with");
    assertThat(CommitResolutions.count(Outcome.UNKNOWN) - before).isEqualTo(1);
    proxy.down(false);
    assertThat(pg.queryLong("select count(*) from resolved_row"))
        .as("the server did commit")
        .isEqualTo(1);
  }

  @Test
  void aUnitThatTurnedResolutionOffIsToldUnknownAtOnce() throws Exception {
    proxy.cutReplyOfNextCommit("resolved_row");

    assertThatThrownBy(
            () ->
                db.useTx(
                    TxOptions.defaults().name("unresolved").resolveLostCommit(false),
                    tx -> tx.update("insert into resolved_row values (5)")))
        .isInstanceOf(CommitOutcomeUnknownException.class)
        .hasMessageContaining("unit 'unresolved' (attempt 1) lost its connection during COMMIT")
        .hasMessageContaining("TxOptions.resolveLostCommit(false)");
    assertThat(pg.queryLong("select count(*) from resolved_row")).as("it did commit").isEqualTo(1);
  }

  /**
   * A unit whose statements all read by their text does not pay the round trip that asks for its
   * transaction id (a third of a read unit's throughput, BENCHMARKS.md): a lost COMMIT is then told
   * as unknown, with the reason, never as committed, since a SELECT may call a function that
   * writes.
   */
  @Test
  void aUnitThatOnlyReadIsToldUnknownWithTheReasonNotCommitted() throws Exception {
    long before = CommitResolutions.count(Outcome.UNKNOWN);
    pg.execute(
        "create or replace function add_resolved_row(n int) returns int language sql as"
            + " 'insert into resolved_row values (n) returning n'");
    proxy.cutBeforeNextCommit("add_resolved_row");

    assertThatThrownBy(
            () ->
                db.inTx(
                    TxOptions.defaults().name("reader"),
                    tx ->
                        tx.queryOne("select add_resolved_row(6)", rs -> rs.getInt(1))
                            .orElseThrow()))
        .isInstanceOf(CommitOutcomeUnknownException.class)
        .hasMessageContaining("unit 'reader' (attempt 1) lost its connection during COMMIT")
        .hasMessageContaining("txguard saw only statements that read by their text")
        .hasMessageContaining("check the database before acting")
        .hasMessageContaining("TxOptions.readOnly(true)");
    assertThat(CommitResolutions.count(Outcome.UNKNOWN) - before).isEqualTo(1);
    assertThat(pg.queryLong("select count(*) from resolved_row"))
        .as("the function's insert did not commit: 'committed' would have been a lie")
        .isZero();
    assertThat(commits).as("listener commits").hasValue(0);
  }

  @Test
  void aReadOnlyUnitNeedsNoAnswer() throws Exception {
    long before = CommitResolutions.count(Outcome.NOT_NEEDED);
    proxy.cutReplyOfNextCommit("resolved_row");

    long n =
        db.inTx(
            TxOptions.defaults().readOnly(true),
            tx ->
                tx.queryOne("select count(*) from resolved_row", rs -> rs.getLong(1))
                    .orElseThrow());

    assertThat(n).isZero();
    assertThat(CommitResolutions.count(Outcome.NOT_NEEDED) - before).isEqualTo(1);
  }
}
