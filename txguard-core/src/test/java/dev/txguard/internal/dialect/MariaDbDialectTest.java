package dev.txguard.internal.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Isolation;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mariadb.jdbc.Configuration;
import org.mariadb.jdbc.HostAddress;
import org.mariadb.jdbc.export.ExceptionFactory;

/**
 * MariaDB's and MySQL's classification, per-unit SQL and SQL reading; no database needed. The
 * exceptions are made by MariaDB Connector/J's own exception factory from the server's error code
 * and SQLSTATE, as the driver raises them on a real error packet: that covers MySQL 8's codes,
 * which no MySQL server here can raise.
 */
class MariaDbDialectTest {
  private final Dialect maria = Dialects.forUrl("jdbc:mariadb://db:3306/app");
  private final Dialect mysql = Dialects.forUrl("jdbc:mysql://db:3306/app");

  private static SQLException driver(String message, String state, int code) throws SQLException {
    ExceptionFactory factory =
        new ExceptionFactory(
            Configuration.parse("jdbc:mariadb://db:3306/app"), HostAddress.from("db", 3306));
    return factory.create(message, state, code);
  }

  @ParameterizedTest
  @CsvSource({
    "1213, 40001, Deadlock found when trying to get lock; try restarting transaction",
    "1020, HY000, Record has changed since last read in table 'account'",
    "1213, HY000, a deadlock whose SQLSTATE a proxy dropped"
  })
  void deadlocksSerializationFailuresAndRecordChangedAreRetryable(
      int code, String state, String message) throws Exception {
    SQLException e = driver(message, state, code);
    assertThat(maria.retryable(e)).isTrue();
    assertThat(mysql.retryable(e)).isTrue();
    assertThat(maria.connectionLost(e)).isFalse();
    assertThat(maria.cancelled(e)).isFalse();
  }

  @ParameterizedTest
  @CsvSource({
    "1205, HY000, Lock wait timeout exceeded; try restarting transaction",
    "3572, HY000, Statement aborted because lock(s) could not be acquired immediately and NOWAIT is set."
  })
  void lockWaitsThatRanOutAreNotRetriedButCancelled(int code, String state, String message)
      throws Exception {
    SQLException e = driver(message, state, code);
    assertThat(maria.retryable(e)).isFalse();
    assertThat(maria.lockNotAvailable(e)).isTrue();
    assertThat(mysql.cancelled(e)).isTrue();
  }

  @ParameterizedTest
  @CsvSource({
    "1969, 70100, Query execution was interrupted (max_statement_time exceeded)",
    "3024, HY000, Query execution was interrupted, maximum statement execution time exceeded",
    "1317, 70100, Query execution was interrupted"
  })
  void statementLimitsAndKillQueryAreCancellations(int code, String state, String message)
      throws Exception {
    SQLException e = driver(message, state, code);
    assertThat(maria.cancelled(e)).isTrue();
    assertThat(maria.retryable(e)).isFalse();
    assertThat(maria.lockNotAvailable(e)).isFalse();
  }

  @ParameterizedTest
  @CsvSource({
    "1927, 70100, Connection was killed",
    "4031, HY000, The client was disconnected by the server because of inactivity.",
    "1053, 08S01, Server shutdown in progress",
    "0, 08000, Socket error"
  })
  void connectionLossIsRecognised(int code, String state, String message) throws Exception {
    SQLException e = driver(message, state, code);
    assertThat(maria.connectionLost(e)).isTrue();
    assertThat(mysql.connectionLost(e)).isTrue();
    assertThat(maria.retryable(e))
        .isFalse(); // counted only when the unit's own connection was lost
  }

  @ParameterizedTest
  @CsvSource({
    "1062, 23000, Duplicate entry",
    "1146, 42S02, Table 'x' doesn't exist",
    "1048, 23000, cannot be null"
  })
  void businessErrorsAreNeither(int code, String state, String message) throws Exception {
    SQLException e = driver(message, state, code);
    assertThat(maria.retryable(e) || maria.connectionLost(e) || maria.cancelled(e)).isFalse();
  }

  @Test
  void thePreludeSavesAndSetsTheLimitsAndTheEpiloguePutsThemBack() {
    assertThat(maria.unitPrelude(Isolation.READ_COMMITTED, false, 0)).isNull();
    assertThat(maria.unitEpilogue(Isolation.READ_COMMITTED, false, 0)).isNull();
    assertThat(maria.unitPrelude(Isolation.SERIALIZABLE, true, 0))
        .isEqualTo("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY");
    assertThat(maria.unitEpilogue(Isolation.SERIALIZABLE, true, 0))
        .as("a unit that ran no statement began no transaction: its characteristics are put back")
        .isEqualTo("SET TRANSACTION ISOLATION LEVEL READ COMMITTED, READ WRITE");
    assertThat(maria.unitPrelude(Isolation.READ_COMMITTED, false, 1500))
        .isEqualTo(
            "SET @txguard_st = @@session.max_statement_time, @txguard_lw = @@session.innodb_lock_wait_timeout,"
                + " SESSION max_statement_time = 1.500, SESSION innodb_lock_wait_timeout = 2");
    assertThat(maria.unitEpilogue(Isolation.READ_COMMITTED, false, 1500))
        .isEqualTo(
            "SET SESSION max_statement_time = @txguard_st, SESSION innodb_lock_wait_timeout = @txguard_lw");
    assertThat(mysql.unitPrelude(Isolation.REPEATABLE_READ, false, 250))
        .isEqualTo(
            "SET @txguard_st = @@session.max_execution_time, @txguard_lw = @@session.innodb_lock_wait_timeout,"
                + " SESSION max_execution_time = 250, SESSION innodb_lock_wait_timeout = 1,"
                + " SESSION transaction_isolation = 'REPEATABLE-READ', SESSION transaction_read_only = 0");
    assertThat(mysql.unitEpilogue(Isolation.REPEATABLE_READ, false, 250))
        .endsWith(
            ", SESSION transaction_isolation = 'READ-COMMITTED', SESSION transaction_read_only = 0");
  }

  @Test
  void insertOrGetUsesOnDuplicateKeyWithReturningOnMariaDbOnly() {
    assertThat(
            maria.insertUnlessConflict("account", List.of("email", "name"), List.of("email"), "id"))
        .isEqualTo(
            "insert into account (email, name) values (?, ?) on duplicate key update email = email returning id");
    assertThat(maria.insertReturnsRow()).isTrue();
    assertThat(mysql.insertUnlessConflict("account", List.of("email"), List.of("email"), "id"))
        .isEqualTo("insert into account (email) values (?) on duplicate key update email = email");
    assertThat(mysql.insertReturnsRow()).isFalse();
  }

  @Test
  void theDialectIsChosenByUrlOrProductName() {
    assertThat(Dialects.forProduct("MariaDB", "10.11.19-MariaDB")).isSameAs(maria);
    assertThat(Dialects.forProduct("MySQL", "8.4.3")).isSameAs(mysql);
    assertThat(Dialects.forUrl("JDBC:MARIADB://h/db")).isSameAs(maria);
    assertThat(maria.name()).isEqualTo("MariaDB");
    assertThat(mysql.name()).isEqualTo("MySQL");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "COMMIT",
        "commit work",
        "ROLLBACK",
        "begin",
        "START TRANSACTION",
        "savepoint a",
        "release savepoint a",
        "xa start 'x'",
        "set autocommit = 1",
        "SET @@autocommit = 1",
        "set session autocommit=1",
        "SET @@session.autocommit = 0",
        "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
        "SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE",
        "set tx_isolation = 'SERIALIZABLE'",
        "SET @x = 1, autocommit = 1",
        "SET @y = 2, @@session.autocommit = 1",
        "set session sql_mode='', autocommit=1",
        "DO 1; SET @a=1, autocommit=1",
        "set @x = greatest(1, 2), session tx_isolation = 'SERIALIZABLE'",
        "/*!40101 COMMIT */",
        "/*M!100100 COMMIT */",
        "# note\nrollback",
        "select 1; commit",
        "-- x\nCOMMIT"
      })
  void transactionControlIsFound(String sql) {
    assertThat(maria.reader().verdict(sql).control()).as(sql).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "create table t (id int)",
        "ALTER TABLE t ADD c int",
        "drop table t",
        "truncate t",
        "rename table a to b",
        "lock tables t write",
        "unlock tables",
        "create index i on t (c)",
        "grant all on *.* to x",
        "analyze table t",
        "optimize table t",
        "flush tables",
        "select 1; create table x (id int)",
        "set statement max_statement_time=1 for create table x7(id int)",
        "set statement max_statement_time=10 for truncate table b",
        "SET STATEMENT a = (1), b = 'for' FOR drop table t",
        "EXECUTE IMMEDIATE 'CREATE TABLE x8(id int)'",
        "execute stmt",
        "execute stmt using @a",
        "EXECUTE IMMEDIATE @sql",
        "select 1; execute immediate 'select 1'"
      })
  void statementsThatCommitImplicitlyAreFound(String sql) {
    assertThat(maria.reader().verdict(sql).control()).as(sql).endsWith("implicitly,");
  }

  @Test
  void aStatementAfterSetStatementForIsNamedAndExecuteSaysWhy() {
    assertThat(
            maria
                .reader()
                .verdict("set statement max_statement_time=1 for create table x7(id int)")
                .control())
        .isEqualTo("CREATE, which commits implicitly,");
    assertThat(
            maria
                .reader()
                .verdict("set statement max_statement_time=10 for truncate table b")
                .control())
        .isEqualTo("TRUNCATE, which commits implicitly,");
    assertThat(maria.reader().verdict("EXECUTE IMMEDIATE 'select 1'").control())
        .isEqualTo(
            "EXECUTE, which runs SQL text txguard cannot read and so may commit implicitly,");
    assertThat(maria.reader().verdict("SET @x = 1, autocommit = 1").control())
        .isEqualTo("SET autocommit, which commits implicitly,");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "set @x = 1",
        "set names utf8mb4",
        "select get_lock('a', 1)",
        "do release_lock('a')",
        "use other",
        "select nextval(s)",
        "set sql_mode = ''",
        "set @x = 1, @y = 2",
        "set @x = concat('a', autocommit)",
        "set @x = 1, @z = @@autocommit",
        "prepare s from 'select 1'"
      })
  void sessionChangesAreFound(String sql) {
    assertThat(maria.reader().verdict(sql).session()).as(sql).isTrue();
    assertThat(maria.reader().verdict(sql).control()).as(sql).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "select * from t where note = 'commit'",
        "select `commit` from t",
        "insert into t values (1)",
        "update t set c = 1 # commit",
        "select 1 -- rollback",
        "select * from t for update",
        "SET STATEMENT max_statement_time = 1 FOR select 1",
        "set statement a = 1, b = 2 for insert into t values (1, 2)",
        "select * from t where c in (1, 2)"
      })
  void ordinarySqlIsClean(String sql) {
    assertThat(maria.reader().verdict(sql).clean()).as(sql).isTrue();
  }

  /**
   * Break-it F1: MariaDB runs IF, CASE, LOOP, REPEAT, WHILE, BEGIN NOT ATOMIC and labelled blocks
   * outside stored programs; the statements in their bodies were judged by the first word only and
   * committed half a unit.
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "IF 1 THEN COMMIT; END IF | IF",
        "CASE WHEN 1 THEN COMMIT; END CASE | CASE",
        "REPEAT COMMIT; UNTIL 1 END REPEAT | REPEAT",
        "IF 1 THEN CREATE TABLE x9(id int); END IF | IF",
        "IF 1 THEN SET autocommit=1; END IF | IF",
        "if 1 then execute immediate 'COMMIT'; end if | IF",
        "IF 1 THEN SET SESSION tx_read_only=0; END IF | IF",
        "WHILE 0 DO COMMIT; END WHILE | WHILE",
        "loop leave; end loop | LOOP",
        "BEGIN NOT ATOMIC COMMIT; END | BEGIN NOT ATOMIC",
        "lbl: BEGIN NOT ATOMIC COMMIT; END lbl | a label (lbl:)",
        "`l1` : LOOP COMMIT; LEAVE l1; END LOOP | a label (l1:)",
        "select 1; if 1 then select 2; end if | IF",
        "/*!100000 IF 1 THEN COMMIT; END IF */ | IF"
      })
  void compoundStatementsOutsideStoredProgramsAreRefused(String sql, String named) {
    assertThat(maria.reader().verdict(sql).control())
        .as(sql)
        .isEqualTo(named + ", a compound statement,");
  }

  @Test
  void aPlainBeginAndAUserVariableAssignmentAreNotCompound() {
    assertThat(maria.reader().verdict("begin").control()).isEqualTo("BEGIN");
    assertThat(maria.reader().verdict("begin work").control()).isEqualTo("BEGIN");
    assertThat(maria.reader().verdict("set @a := 1").control()).isNull();
    assertThat(maria.reader().verdict("select if(1, 2, 3)").clean()).isTrue();
    assertThat(maria.reader().verdict("select case when 1 then 2 end").clean()).isTrue();
  }

  /**
   * Break-it F2: on MariaDB {@code --} starts a comment only before a blank or a control character
   * ({@code 1--1} is {@code 1 - -1}), and block comments do not nest.
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "SELECT 1--1;COMMIT | COMMIT",
        "DO 1--1;CREATE TABLE y1(id int) | CREATE, which commits implicitly,",
        "SELECT 1/*!--*/;COMMIT | COMMIT",
        "select 1 /* /* */ ; commit | COMMIT"
      })
  void aDashDashWithoutABlankAfterItIsNoCommentOnMariaDb(String sql, String control) {
    assertThat(maria.reader().verdict(sql).control()).as(sql).isEqualTo(control);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "select 1 -- commit",
        "select 1 --\tcommit",
        "select 1 --",
        "select 1 --\u0001commit"
      })
  void aDashDashBeforeABlankOrControlCharacterIsStillAComment(String sql) {
    assertThat(maria.reader().verdict(sql).clean()).as(sql).isTrue();
  }

  /** Break-it F3: SET PASSWORD and SET DEFAULT ROLE commit implicitly, even when they fail. */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "SET PASSWORD = PASSWORD('x') | SET PASSWORD",
        "set password for 'u'@'%' = 'x' | SET PASSWORD",
        "SET DEFAULT ROLE r FOR u | SET DEFAULT ROLE",
        "set default role none | SET DEFAULT ROLE",
        "select 1; SET PASSWORD = '' | SET PASSWORD"
      })
  void setPasswordAndSetDefaultRoleAreRefusedAsCommittingImplicitly(String sql, String named) {
    assertThat(maria.reader().verdict(sql).control())
        .as(sql)
        .isEqualTo(named + ", which commits implicitly,");
  }

  @Test
  void userVariablesNamedPasswordOrDefaultAreOnlySessionChanges() {
    assertThat(maria.reader().verdict("set @password = 1").control()).isNull();
    assertThat(maria.reader().verdict("set @default = 1").session()).isTrue();
  }

  /**
   * Break-it F7: {@code :=} assigns a user variable in any statement (txguard's own saved limits
   * are such variables): a session change.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "select @txguard_st := 0.5",
        "select @n := @n + 1 from t",
        "update t set c = (@x := 1)"
      })
  void colonEqualsAssignmentsAreSessionChanges(String sql) {
    assertThat(maria.reader().verdict(sql).session()).as(sql).isTrue();
    assertThat(maria.reader().verdict(sql).control()).as(sql).isNull();
  }
}
