package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.test.ClassDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Transaction control belongs to the unit: COMMIT, ROLLBACK, BEGIN, SAVEPOINT and the rest sent as
 * SQL inside a unit, by any path, are refused before they reach the server, and the database shows
 * that nothing was half-committed. What txguard cannot see in advance (the driver's own connection,
 * unwrapped) is caught from the server's transaction status: the unit fails and is never reported
 * committed or rolled back.
 */
class TransactionControlIT {
  @RegisterExtension static final ClassDatabase testDb = Fixture.classDatabase();
  static Database db;

  @BeforeAll
  static void setUp() throws Exception {
    testDb.execute("create table t (id int)");
    db = Fixture.db(testDb, 1);
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @BeforeEach
  void clean() throws Exception {
    testDb.execute("truncate t");
  }

  /** One way SQL reaches the server from inside a unit. */
  @FunctionalInterface
  interface Path {
    void send(Tx tx, String sql) throws Exception;
  }

  /** Transaction control statements of the run's database (MariaDB: XA in place of 2PC). */
  static final List<String> CONTROL =
      Fixture.MARIADB
          ? List.of(
              "commit",
              "COMMIT WORK",
              "rollback",
              "begin",
              "start transaction",
              "savepoint s1",
              "release savepoint s1",
              "rollback to savepoint s1",
              "xa start 'g1'",
              "xa commit 'g1'",
              "xa rollback 'g1'")
          : List.of(
              "commit",
              "COMMIT WORK",
              "end",
              "rollback",
              "abort",
              "begin",
              "start transaction",
              "savepoint s1",
              "release savepoint s1",
              "rollback to savepoint s1",
              "prepare transaction 'g1'",
              "commit prepared 'g1'",
              "rollback prepared 'g1'");

  static Stream<Arguments> pathsAndStatements() {
    List<Arguments> cases = new java.util.ArrayList<>();
    for (String sql : CONTROL) {
      cases.add(Arguments.of("tx.update", (Path) Tx::update, sql));
      cases.add(Arguments.of("tx.query", (Path) (tx, s) -> tx.query(s, rs -> 1), sql));
      cases.add(
          Arguments.of(
              "Statement.execute",
              (Path)
                  (tx, s) -> {
                    try (Statement st = tx.connection().createStatement()) {
                      st.execute(s);
                    }
                  },
              sql));
      cases.add(
          Arguments.of(
              "Statement.addBatch",
              (Path)
                  (tx, s) -> {
                    try (Statement st = tx.connection().createStatement()) {
                      st.addBatch("insert into t values (9)");
                      st.addBatch(s);
                      st.executeBatch();
                    }
                  },
              sql));
      cases.add(
          Arguments.of(
              "prepareStatement",
              (Path)
                  (tx, s) -> {
                    try (PreparedStatement ps = tx.connection().prepareStatement(s)) {
                      ps.execute();
                    }
                  },
              sql));
      cases.add(
          Arguments.of(
              "multi-statement string",
              (Path)
                  (tx, s) -> {
                    try (Statement st = tx.connection().createStatement()) {
                      st.execute("insert into t values (8); " + s + "; insert into t values (7)");
                    }
                  },
              sql));
      cases.add(
          Arguments.of(
              "db.dataSource()",
              (Path)
                  (tx, s) -> {
                    try (Connection c = db.dataSource().getConnection();
                        Statement st = c.createStatement()) {
                      st.executeUpdate(s);
                    }
                  },
              sql));
      cases.add(
          Arguments.of(
              "Jdbi over db.dataSource()",
              (Path)
                  (tx, s) -> {
                    Jdbi.create(db.dataSource()).useHandle(h -> h.execute(s));
                  },
              sql));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}: {2}")
  @MethodSource("pathsAndStatements")
  void refusedBeforeReachingTheServer(String path, Path send, String sql) {
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx -> {
                      tx.update("insert into t values (1)");
                      send.send(tx, sql);
                      tx.update("insert into t values (2)");
                    }))
        .satisfies(
            e ->
                assertThat(messages(e))
                    .as("the refusal names the statement and what to use instead")
                    .contains("txguard refused " + firstWords(sql))
                    .contains("inside unit '"));
    assertThat(rows()).as("nothing half-committed through " + path).isZero();
  }

  @ParameterizedTest(name = "{0}: {2}")
  @MethodSource("pathsAndStatements")
  void aSwallowedRefusalCannotCommit(String path, Path send, String sql) {
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx -> {
                      tx.update("insert into t values (1)");
                      try {
                        send.send(tx, sql);
                      } catch (SQLException | TxException | JdbiException swallowed) {
                        // the caller ignores the refusal and returns normally
                      }
                    }))
        .isInstanceOf(TransactionAbortedException.class)
        .hasMessageContaining("txguard refused");
    assertThat(rows()).isZero();
  }

  @Test
  void theRefusalCarriesSqlstate2D000AndSaysWhatToUseInstead() {
    assertThatThrownBy(() -> db.useTx(tx -> tx.update("commit")))
        .isInstanceOf(StatementException.class)
        .hasMessageContaining("SQLSTATE 2D000")
        .hasMessageContaining("the unit ends its transaction itself")
        .satisfies(e -> assertThat(((StatementException) e).sqlState()).isEqualTo("2D000"));
    assertThatThrownBy(() -> db.useTx(tx -> tx.update("savepoint a")))
        .hasMessageContaining("use tx.savepoint(...)");
    assertThatThrownBy(() -> db.useTx(tx -> tx.update("begin")))
        .hasMessageContaining("db.inNewTx(...)");
    assertThatThrownBy(
            () -> db.useTx(tx -> tx.update("set transaction isolation level serializable")))
        .hasMessageContaining("txguard refused SET TRANSACTION")
        .hasMessageContaining(
            "give it TxOptions.isolation(...) or TxOptions.readOnly(...) instead");
  }

  @Test
  @PostgresOnly("PREPARE TRANSACTION and SET LOCAL are PostgreSQL's statements")
  void twoPhaseCommitAndSetLocalOfTheTransactionsModeAreRefused() {
    assertThatThrownBy(() -> db.useTx(tx -> tx.update("prepare transaction 'g2'")))
        .hasMessageContaining("two-phase commit cannot run inside a unit");
    assertThatThrownBy(() -> db.useTx(tx -> tx.update("set local transaction_read_only = on")))
        .hasMessageContaining("txguard refused SET transaction_read_only");
  }

  @Test
  void aSwallowedRefusalAsTheFirstStatementAbortsTheUnitAndKeepsItsConnection() {
    int backend =
        db.inTx(tx -> tx.queryOne(Fixture.sessionIdQuery(), rs -> rs.getInt(1)).orElseThrow());
    for (int round = 0; round < 3; round++) {
      assertThatThrownBy(
              () ->
                  db.useTx(
                      tx -> {
                        try {
                          tx.update("commit");
                        } catch (StatementException swallowed) {
                          // nothing reached the server
                        }
                        tx.update("insert into t values (1)");
                      }))
          .isInstanceOf(TransactionAbortedException.class)
          .hasMessageContaining("txguard refused COMMIT");
    }
    int after =
        db.inTx(tx -> tx.queryOne(Fixture.sessionIdQuery(), rs -> rs.getInt(1)).orElseThrow());
    assertThat(after).as("the connection was not discarded").isEqualTo(backend);
    assertThat(rows()).isZero();
  }

  @Test
  void transactionControlInTextIsNotRefused() {
    db.useTx(
        tx -> {
          tx.update("insert into t values (1) -- then commit");
          tx.update(
              Fixture.MARIADB
                  ? "update t set id = 2 where id = -1 /* commit */"
                  : "do $$ begin perform 1; end $$");
          tx.query("select 'rollback; commit'", rs -> 1);
        });
    assertThat(rows()).isEqualTo(1);
  }

  @Test
  @PostgresOnly(
      "MariaDB: txguard reads no transaction status from the driver, so COMMIT or ROLLBACK on the"
          + " unwrapped driver connection goes unnoticed (MARIADB.md)")
  void aCommitOnTheUnwrappedDriverConnectionFailsTheUnitAtItsNextStatement() {
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx -> {
                      tx.update("insert into t values (1)");
                      raw(tx).execute("commit");
                      tx.update("insert into t values (2)");
                    }))
        .isInstanceOf(CommitOutcomeUnknownException.class)
        .hasMessageContaining("was ended by something other than the unit")
        .hasMessageContaining("may have been committed or rolled back");
    assertThat(rows())
        .as("the first half did commit, and the caller was not told otherwise")
        .isEqualTo(1);
  }

  @Test
  @PostgresOnly(
      "MariaDB: txguard reads no transaction status from the driver, so COMMIT or ROLLBACK on the"
          + " unwrapped driver connection goes unnoticed (MARIADB.md)")
  void aRollbackOnTheUnwrappedDriverConnectionIsNeverReportedAsACommit() {
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx -> {
                      tx.update("insert into t values (1)");
                      raw(tx).execute("rollback");
                    }))
        .isInstanceOf(CommitOutcomeUnknownException.class)
        .hasMessageContaining("was ended by something other than the unit");
    assertThat(rows()).isZero();
  }

  @Test
  @PostgresOnly(
      "MariaDB: txguard reads no transaction status from the driver, so COMMIT or ROLLBACK on the"
          + " unwrapped driver connection goes unnoticed (MARIADB.md)")
  void aCommitOnTheUnwrappedDriverConnectionThenAThrowIsNotPassedOffAsARollback() {
    IllegalStateException thrown = new IllegalStateException("business failure");
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx -> {
                      tx.update("insert into t values (1)");
                      raw(tx).execute("commit");
                      throw thrown;
                    }))
        .isSameAs(thrown)
        .satisfies(
            e ->
                assertThat(e.getSuppressed())
                    .anySatisfy(
                        s ->
                            assertThat(s)
                                .isInstanceOf(CommitOutcomeUnknownException.class)
                                .hasMessageContaining(
                                    "was ended by something other than the unit")));
    assertThat(rows()).isEqualTo(1);
    db.useTx(tx -> tx.update("insert into t values (5)"));
    assertThat(rows()).as("the pool still works").isEqualTo(2);
  }

  private static Statement raw(Tx tx) throws SQLException {
    Class<? extends Connection> driver =
        Fixture.MARIADB
            ? org.mariadb.jdbc.Connection.class
            : org.postgresql.jdbc.PgConnection.class;
    return tx.connection().unwrap(driver).createStatement();
  }

  private static long rows() {
    try {
      return testDb.queryLong("select count(*) from t");
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  private static String firstWords(String sql) {
    String upper = sql.toUpperCase(java.util.Locale.ROOT);
    return upper.startsWith("PREPARE TRANSACTION") ? "PREPARE TRANSACTION" : upper.split(" ")[0];
  }

  private static String messages(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      sb.append(t.getMessage()).append('\n');
    }
    return sb.toString();
  }
}
