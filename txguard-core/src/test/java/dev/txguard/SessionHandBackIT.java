package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.test.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A connection goes back to the pool as the pool lent it: with a pool of one, whatever one unit
 * (or DataSource borrower, or manual handle) changed in its session is gone when the next unit runs
 * on the same backend. Regression tests for the leaks of issue 12, one per kind of session state.
 */
class SessionHandBackIT {
  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();
  static Database db;
  static final Executor DIRECT = Runnable::run;

  @BeforeAll
  static void setUp() throws Exception {
    pg.execute("create schema s2", "create table s2.marker (a int)", "create sequence sq",
        "create role other_role", "create table t (id int)");
    db = Fixture.db(pg, 1);
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  private static String text(String sql) {
    return db.inTx(tx -> tx.queryOne(sql, rs -> rs.getString(1)).orElseThrow());
  }

  private static long number(String sql) {
    return db.inTx(tx -> tx.queryOne(sql, rs -> rs.getLong(1)).orElseThrow());
  }

  private static int backend() {
    return (int) number("select pg_backend_pid()");
  }

  /** Runs {@code dirty} in a unit and checks the next unit ran on the same backend (reset, not replaced). */
  private static void afterUnit(TxConsumer<RuntimeException> dirty) {
    int before = backend();
    db.useTx(dirty);
    assertThat(backend()).as("the connection is reset and kept, not replaced").isEqualTo(before);
  }

  @Test
  void schemaSetThroughJdbcIsReset() {
    String defaultSchema = text("select current_schema()");
    afterUnit(tx -> {
      try {
        tx.connection().setSchema("s2");
      } catch (java.sql.SQLException e) {
        throw new AssertionError(e);
      }
      assertThat(tx.queryOne("select current_schema()", rs -> rs.getString(1))).contains("s2");
    });
    assertThat(text("select current_schema()")).isEqualTo(defaultSchema);
  }

  @Test
  void searchPathSetBySqlIsReset() {
    String path = text("show search_path");
    afterUnit(tx -> tx.update("set search_path = s2"));
    assertThat(text("show search_path")).isEqualTo(path);
  }

  @Test
  void statementTimeoutSetBySqlIsReset() {
    afterUnit(tx -> tx.update("set statement_timeout = 100"));
    db.useTx(tx -> tx.query("select pg_sleep(0.3)", rs -> 1));
    assertThat(text("show statement_timeout")).isEqualTo("0");
  }

  @Test
  void setConfigOutsideTheTransactionIsReset() {
    afterUnit(tx -> tx.query("select set_config('lock_timeout', '123', false)", rs -> 1));
    assertThat(text("show lock_timeout")).isEqualTo("0");
  }

  @Test
  void defaultIsolationSetBySqlDoesNotReachTheNextUnit() {
    afterUnit(tx -> tx.update("set default_transaction_isolation = 'serializable'"));
    String isolation = db.inTx(TxOptions.defaults().isolation(Isolation.READ_COMMITTED),
        tx -> tx.queryOne("show transaction_isolation", rs -> rs.getString(1)).orElseThrow());
    assertThat(isolation).isEqualTo("read committed");
  }

  @Test
  void sessionCharacteristicsSetBySqlDoNotReachTheNextUnit() {
    afterUnit(tx -> tx.update("set session characteristics as transaction isolation level serializable, read only"));
    assertThat(text("show transaction_isolation")).isEqualTo("read committed");
    assertThat(text("show transaction_read_only")).isEqualTo("off");
  }

  @Test
  void defaultReadOnlySetBySqlDoesNotMakeTheNextUnitReadOnly() {
    afterUnit(tx -> tx.update("set default_transaction_read_only = on"));
    db.useTx(TxOptions.defaults().readOnly(false), tx -> tx.update("insert into t values (1)"));
    assertThat(number("select count(*) from t where id = 1")).isEqualTo(1);
  }

  @Test
  void roleAndSessionAuthorizationAreReset() {
    String user = text("select current_user");
    afterUnit(tx -> tx.update("set role other_role"));
    assertThat(text("select current_user")).isEqualTo(user);
    afterUnit(tx -> tx.update("set session authorization other_role"));
    assertThat(text("select session_user")).isEqualTo(user);
    assertThat(text("select current_user")).isEqualTo(user);
  }

  @Test
  void sessionAdvisoryLockTakenInAUnitIsReleased() throws Exception {
    afterUnit(tx -> tx.query("select pg_advisory_lock(7)", rs -> 1));
    assertThat(otherSessionCanLock(7)).as("another session can take the lock").isTrue();
  }

  @Test
  void sessionAdvisoryLockTakenOnADataSourceConnectionIsReleasedWhenItCloses() throws Exception {
    int before = backend();
    try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
      st.execute("select pg_advisory_lock(8)");
    }
    assertThat(otherSessionCanLock(8)).isTrue();
    assertThat(backend()).isEqualTo(before);
  }

  @Test
  void sessionAdvisoryLockTakenThroughAManualHandleIsReleased() throws Exception {
    try (TxHandle handle = db.begin()) {
      handle.tx().query("select pg_try_advisory_lock(9)", rs -> 1);
      handle.commit();
    }
    assertThat(otherSessionCanLock(9)).isTrue();
  }

  private static boolean otherSessionCanLock(long key) throws Exception {
    try (Connection c = pg.connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select pg_try_advisory_lock(" + key + ")")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  @Test
  void temporaryTablesAreDropped() {
    afterUnit(tx -> tx.update("create temp table scratch (a int) on commit preserve rows"));
    assertThat(text("select coalesce(to_regclass('scratch')::text, 'none')")).isEqualTo("none");
  }

  @Test
  void listenRegistrationsAreRemoved() {
    afterUnit(tx -> tx.update("listen some_channel"));
    assertThat(number("select count(*) from pg_listening_channels()")).isZero();
  }

  @Test
  void namedPreparedStatementsAreDeallocated() {
    afterUnit(tx -> tx.update("prepare mine as select 1"));
    assertThat(number("select count(*) from pg_prepared_statements where name = 'mine'")).isZero();
    // the driver's own server-side statements survive the reset: the same SQL still runs
    for (int i = 0; i < 10; i++) {
      assertThat(number("select 41 + 1")).isEqualTo(42);
    }
  }

  @Test
  void holdableCursorsAreClosed() {
    afterUnit(tx -> tx.update("declare kept cursor with hold for select 1"));
    assertThat(number("select count(*) from pg_cursors where name = 'kept'")).isZero();
  }

  @Test
  void sequenceStateIsDiscarded() {
    afterUnit(tx -> tx.query("select nextval('sq')", rs -> 1));
    assertThatThrownBy(() -> number("select currval('sq')"))
        .isInstanceOf(StatementException.class)
        .satisfies(e -> assertThat(((StatementException) e).sqlState()).isEqualTo("55000"));
  }

  @Test
  void networkTimeoutIsPutBack() throws Exception {
    int original = db.inTx(tx -> tx.connection().getNetworkTimeout());
    afterUnit(tx -> {
      try {
        tx.connection().setNetworkTimeout(DIRECT, original + 4321);
      } catch (java.sql.SQLException e) {
        throw new AssertionError(e);
      }
    });
    int after = db.inTx(tx -> tx.connection().getNetworkTimeout());
    assertThat(after).isEqualTo(original);
  }

  @Test
  void clientInfoIsPutBack() throws Exception {
    String name = text("show application_name");
    afterUnit(tx -> {
      try {
        tx.connection().setClientInfo("ApplicationName", "someone-else");
      } catch (java.sql.SQLClientInfoException e) {
        throw new AssertionError(e);
      }
    });
    assertThat(text("show application_name")).isEqualTo(name);
    String info = db.inTx(tx -> tx.connection().getClientInfo("ApplicationName"));
    assertThat(info).isEqualTo(name);
  }

  @Test
  void holdabilityAndTypeMapArePutBack() throws Exception {
    int holdability = db.inTx(tx -> tx.connection().getHoldability());
    int other = holdability == ResultSet.HOLD_CURSORS_OVER_COMMIT
        ? ResultSet.CLOSE_CURSORS_AT_COMMIT : ResultSet.HOLD_CURSORS_OVER_COMMIT;
    afterUnit(tx -> {
      try {
        tx.connection().setHoldability(other);
        tx.connection().setTypeMap(Map.of("point", String.class));
      } catch (java.sql.SQLException e) {
        throw new AssertionError(e);
      }
    });
    int holdabilityAfter = db.inTx(tx -> tx.connection().getHoldability());
    Map<String, Class<?>> typeMapAfter = db.inTx(tx -> tx.connection().getTypeMap());
    assertThat(holdabilityAfter).isEqualTo(holdability);
    assertThat(typeMapAfter).isEmpty();
  }

  @Test
  void readOnlyAndIsolationCannotBeChangedInsideAUnit() throws Exception {
    assertThatThrownBy(() -> db.useTx(tx -> tx.connection().setReadOnly(true)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("setReadOnly(true) is not allowed")
        .hasMessageContaining("TxOptions.readOnly(true)");
    assertThatThrownBy(() -> db.useTx(tx -> tx.connection().setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("runs at READ_COMMITTED")
        .hasMessageContaining("TxOptions.isolation");
    // setting what the unit already has is harmless
    db.useTx(TxOptions.defaults().isolation(Isolation.SERIALIZABLE).readOnly(true), tx -> {
      tx.connection().setReadOnly(true);
      tx.connection().setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
    });
  }

  @Test
  void jdbcStateChangedOnADataSourceConnectionIsResetWhenItCloses() throws Exception {
    try (Connection c = db.dataSource().getConnection()) {
      c.setReadOnly(true);
      c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
      c.setSchema("s2");
      try (Statement st = c.createStatement()) {
        st.execute("set statement_timeout = 50");
      }
    }
    assertThat(text("show transaction_isolation")).isEqualTo("read committed");
    assertThat(text("show statement_timeout")).isEqualTo("0");
    assertThat(text("select current_schema()")).isNotEqualTo("s2");
    db.useTx(tx -> tx.update("insert into t values (2)"));
  }

  @Test
  void uncommittedWorkOfADataSourceConnectionIsRolledBackNotCommittedByTheReset() throws Exception {
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.execute("set search_path = s2, public");
        st.execute("insert into public.t values (3)");
      }
    }
    assertThat(pg.queryLong("select count(*) from t where id = 3")).isZero();
  }

  @Test
  void aUnitThatChangesNothingIsNotReset() throws Exception {
    // a marker made on the driver's own connection, which txguard does not see: only a reset removes it
    db.useTx(tx -> {
      try (Statement st = ((Connection) tx.connection().unwrap(org.postgresql.PGConnection.class))
          .createStatement()) {
        st.execute("prepare marker as select 1");
      }
    });
    db.useTx(tx -> tx.update("insert into t values (4)"));
    assertThat(number("select count(*) from pg_prepared_statements where name = 'marker'"))
        .as("no DISCARD ALL after units that change nothing").isEqualTo(1);
    db.useTx(tx -> tx.update("deallocate marker"));
    assertThat(number("select count(*) from pg_prepared_statements where name = 'marker'")).isZero();
  }
}
