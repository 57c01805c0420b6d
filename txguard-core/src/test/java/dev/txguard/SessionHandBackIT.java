package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.test.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A connection goes back to the pool as the pool lent it: with a pool of one, whatever one unit (or
 * DataSource borrower, or manual handle) changed in its session is gone when the next unit runs on
 * the same backend. Regression tests for the leaks of issue 12, one per kind of session state.
 */
@PostgresOnly(
    "PostgreSQL session state (search_path, roles, sequences, DISCARD ALL, pg_prepared_statements); MariaDbSessionsAndLocksIT checks MariaDB's COM_RESET_CONNECTION")
class SessionHandBackIT {
  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();
  static Database db;
  static final Executor DIRECT = Runnable::run;

  @BeforeAll
  static void setUp() throws Exception {
    pg.execute(
        "create schema s2",
        "create table s2.marker (a int)",
        "create sequence sq",
        "create role other_role",
        "create table t (id int)");
    db = Fixture.db(pg, 1);
    APPLICATION_NAME = text("show application_name");
    HOLDABILITY = db.inTx(tx -> tx.connection().getHoldability());
    assertThat(HOLDABILITY).isNotEqualTo(ResultSet.HOLD_CURSORS_OVER_COMMIT);
    assertThat(text("select current_schema()")).isEqualTo(SCHEMA);
    assertThat(text("show search_path")).isEqualTo(PATH);
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

  /** What a borrower does to its session, on the connection it was lent. */
  @FunctionalInterface
  interface Action {
    void on(Connection c) throws Exception;

    static Action sql(String sql) {
      return c -> {
        try (Statement st = c.createStatement()) {
          st.execute(sql);
        }
      };
    }
  }

  /** What the next unit must see; runs after the change, through ordinary units. */
  @FunctionalInterface
  interface Check {
    void holds() throws Exception;
  }

  /**
   * One kind of session state: how a borrower changes it (SQL, or null if JDBC only) and the check.
   */
  record Change(String name, String sql, Action jdbc, Check check) {
    Action action() {
      return jdbc != null ? jdbc : Action.sql(sql);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** Where the change is made: each hands the connection back before the check runs. */
  enum Path {
    TX_STATEMENT_METHODS,
    TX_CONNECTION,
    DATASOURCE_OUTSIDE_A_UNIT,
    MANUAL_HANDLE;

    void run(Change change) throws Exception {
      switch (this) {
        case TX_STATEMENT_METHODS ->
            db.useTx(
                tx -> {
                  if (change.sql().startsWith("select")) {
                    tx.query(change.sql(), rs -> 1);
                  } else {
                    tx.update(change.sql());
                  }
                });
        case TX_CONNECTION -> db.useTx(tx -> change.action().on(tx.connection()));
        case DATASOURCE_OUTSIDE_A_UNIT -> {
          try (Connection c = db.dataSource().getConnection()) {
            change.action().on(c);
          }
        }
        case MANUAL_HANDLE -> {
          try (TxHandle handle = db.begin()) {
            change.action().on(handle.tx().connection());
            handle.commit();
          }
        }
      }
    }
  }

  static final String SCHEMA = "public";
  static final String PATH = "\"$user\", public";

  static List<Change> changes() throws Exception {
    return List.of(
        new Change(
            "JDBC setSchema",
            null,
            c -> c.setSchema("s2"),
            () -> assertThat(text("select current_schema()")).isEqualTo(SCHEMA)),
        new Change(
            "search_path",
            "set search_path = s2",
            null,
            () -> assertThat(text("show search_path")).isEqualTo(PATH)),
        new Change(
            "statement_timeout",
            "set statement_timeout = 100",
            null,
            () -> {
              db.useTx(tx -> tx.query("select pg_sleep(0.3)", rs -> 1));
              assertThat(text("show statement_timeout")).isEqualTo("0");
            }),
        new Change(
            "set_config(..., false)",
            "select set_config('lock_timeout', '123', false)",
            null,
            () -> assertThat(text("show lock_timeout")).isEqualTo("0")),
        new Change(
            "default_transaction_isolation",
            "set default_transaction_isolation = 'serializable'",
            null,
            () -> {
              String isolation =
                  db.inTx(
                      TxOptions.defaults().isolation(Isolation.READ_COMMITTED),
                      tx ->
                          tx.queryOne("show transaction_isolation", rs -> rs.getString(1))
                              .orElseThrow());
              assertThat(isolation).isEqualTo("read committed");
            }),
        new Change(
            "session characteristics",
            "set session characteristics as transaction isolation level"
                + " serializable, read only",
            null,
            () -> {
              assertThat(text("show transaction_isolation")).isEqualTo("read committed");
              assertThat(text("show transaction_read_only")).isEqualTo("off");
            }),
        new Change(
            "default_transaction_read_only",
            "set default_transaction_read_only = on",
            null,
            () ->
                db.useTx(
                    TxOptions.defaults().readOnly(false),
                    tx -> tx.update("insert into t values (1)"))),
        new Change(
            "role",
            "set role other_role",
            null,
            () -> assertThat(text("select current_user")).isEqualTo(pg.user())),
        new Change(
            "session authorization",
            "set session authorization other_role",
            null,
            () -> {
              assertThat(text("select session_user")).isEqualTo(pg.user());
              assertThat(text("select current_user")).isEqualTo(pg.user());
            }),
        new Change(
            "session advisory lock",
            "select pg_advisory_lock(7)",
            null,
            () ->
                assertThat(otherSessionCanLock(7))
                    .as("another session can take the lock")
                    .isTrue()),
        new Change(
            "temporary table",
            "create temp table scratch (a int) on commit preserve rows",
            null,
            () ->
                assertThat(text("select coalesce(to_regclass('scratch')::text, 'none')"))
                    .isEqualTo("none")),
        new Change(
            "LISTEN",
            "listen some_channel",
            null,
            () -> assertThat(number("select count(*) from pg_listening_channels()")).isZero()),
        new Change(
            "named prepared statement",
            "prepare mine as select 1",
            null,
            () -> {
              assertThat(number("select count(*) from pg_prepared_statements where name = 'mine'"))
                  .isZero();
              for (int i = 0;
                  i < 10;
                  i++) { // the driver's own server-side statements still work after the reset
                assertThat(number("select 41 + 1")).isEqualTo(42);
              }
            }),
        new Change(
            "holdable cursor",
            "declare kept cursor with hold for select 1",
            null,
            () ->
                assertThat(number("select count(*) from pg_cursors where name = 'kept'")).isZero()),
        new Change(
            "sequence state",
            "select nextval('sq')",
            null,
            () ->
                assertThatThrownBy(() -> number("select currval('sq')"))
                    .isInstanceOf(StatementException.class)
                    .satisfies(
                        e -> assertThat(((StatementException) e).sqlState()).isEqualTo("55000"))),
        new Change(
            "JDBC network timeout",
            null,
            c -> c.setNetworkTimeout(DIRECT, 4321),
            () -> {
              int after = db.inTx(tx -> tx.connection().getNetworkTimeout());
              assertThat(after).isZero();
            }),
        new Change(
            "JDBC client info",
            null,
            c -> c.setClientInfo("ApplicationName", "someone-else"),
            () -> {
              assertThat(text("show application_name")).isEqualTo(APPLICATION_NAME);
              String info = db.inTx(tx -> tx.connection().getClientInfo("ApplicationName"));
              assertThat(info).isEqualTo(APPLICATION_NAME);
            }),
        new Change(
            "JDBC holdability",
            null,
            c -> c.setHoldability(ResultSet.HOLD_CURSORS_OVER_COMMIT),
            () -> {
              int after = db.inTx(tx -> tx.connection().getHoldability());
              assertThat(after).isEqualTo(HOLDABILITY);
            }),
        new Change(
            "JDBC type map",
            null,
            c -> c.setTypeMap(Map.of("point", String.class)),
            () -> {
              Map<String, Class<?>> after = db.inTx(tx -> tx.connection().getTypeMap());
              assertThat(after).isEmpty();
            }));
  }

  static String APPLICATION_NAME;
  static int HOLDABILITY;

  static Stream<Arguments> changesAndPaths() throws Exception {
    List<Arguments> cases = new ArrayList<>();
    for (Change change : changes()) {
      for (Path path : Path.values()) {
        if (path == Path.TX_STATEMENT_METHODS && change.sql() == null) {
          continue; // a JDBC setter has no SQL to send through tx.update
        }
        cases.add(Arguments.of(change, path));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} through {1}")
  @MethodSource("changesAndPaths")
  void theNextUnitSeesTheSessionAsThePoolLentIt(Change change, Path path) throws Exception {
    int before = backend();
    path.run(change);
    change.check().holds();
    assertThat(backend()).as("the connection is reset and kept, not replaced").isEqualTo(before);
  }

  private static boolean otherSessionCanLock(long key) throws Exception {
    try (Connection c = pg.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select pg_try_advisory_lock(" + key + ")")) {
      rs.next();
      boolean locked = rs.getBoolean(1);
      return locked;
    }
  }

  @Test
  void readOnlyAndIsolationCannotBeChangedInsideAUnit() throws Exception {
    assertThatThrownBy(() -> db.useTx(tx -> tx.connection().setReadOnly(true)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("setReadOnly(true) is not allowed")
        .hasMessageContaining("TxOptions.readOnly(true)");
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx ->
                        tx.connection()
                            .setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("runs at READ_COMMITTED")
        .hasMessageContaining("TxOptions.isolation");
    // setting what the unit already has is harmless
    db.useTx(
        TxOptions.defaults().isolation(Isolation.SERIALIZABLE).readOnly(true),
        tx -> {
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
  void aDataSourceConnectionHeldOutsideAUnitIsNamedWhenThePoolRunsDry() throws Exception {
    try (Database one =
            Fixture.builder(pg)
                .poolSize(1)
                .connectionTimeout(java.time.Duration.ofMillis(250))
                .build();
        Connection held = one.dataSource().getConnection()) {
      assertThatThrownBy(() -> one.useTx(tx -> tx.query("select 1", rs -> 1)))
          .isInstanceOf(PoolExhaustedException.class)
          .hasMessageContaining(
              "no txguard unit holds one (connections lent by db.dataSource() outside units,"
                  + " which their borrowers must close, and units of other threads' levels are not listed)");
      assertThat(held.isClosed()).isFalse();
    }
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
    // a marker made through the pool's own statement object (ResultSet.getStatement()), which
    // txguard does not see: only a reset would remove it
    db.useTx(
        tx -> {
          try (Statement st = tx.connection().createStatement();
              ResultSet rs = st.executeQuery("select 1")) {
            rs.getStatement().execute("prepare marker as select 1");
          }
        });
    db.useTx(tx -> tx.update("insert into t values (4)"));
    assertThat(number("select count(*) from pg_prepared_statements where name = 'marker'"))
        .as("no DISCARD ALL after units that change nothing")
        .isEqualTo(1);
    db.useTx(tx -> tx.update("deallocate marker"));
    assertThat(number("select count(*) from pg_prepared_statements where name = 'marker'"))
        .isZero();
  }
}
