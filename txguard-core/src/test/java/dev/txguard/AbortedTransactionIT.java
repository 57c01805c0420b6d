package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.test.ClassDatabase;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Story 4: an error swallowed inside an aborted transaction is never lost (PostgreSQL's failed
 * transaction state; on MariaDB, which goes on after most errors, txguard's aborted-unit rule).
 */
class AbortedTransactionIT {
  @RegisterExtension static final ClassDatabase testDb = Fixture.classDatabase();
  static Database db;

  @BeforeAll
  static void setUp() throws Exception {
    testDb.execute(
        "create table dependency (name varchar(100) primary key)",
        "create table product (sku varchar(100) primary key)");
    db = Fixture.db(testDb, 2);
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @BeforeEach
  void clean() throws Exception {
    testDb.execute(
        "truncate dependency", "truncate product", "insert into dependency values ('libfoo')");
  }

  @Test
  void swallowedUniqueViolationCannotCommit() throws Exception {
    assertThatThrownBy(
            () ->
                db.useTx(
                    TxOptions.defaults().name("import"),
                    tx -> {
                      tx.update("insert into product values ('p1')");
                      try {
                        tx.update("insert into dependency values ('libfoo')");
                      } catch (StatementException e) {
                        // "already there, fine"
                      }
                    }))
        .isInstanceOf(TransactionAbortedException.class)
        .hasMessageContaining("unit 'import'")
        .hasMessageContaining("SQLSTATE " + Fixture.uniqueViolation())
        .hasMessageContaining("insert into dependency values ('libfoo')")
        .cause()
        .isInstanceOf(SQLException.class)
        .satisfies(
            c -> assertThat(((SQLException) c).getSQLState()).isEqualTo(Fixture.uniqueViolation()));
    assertThat(testDb.queryLong("select count(*) from product")).isZero();
  }

  @Test
  void laterStatementsFailAtOnceWithTheOriginalCause() {
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx -> {
                      try {
                        tx.update("insert into dependency values ('libfoo')");
                      } catch (StatementException e) {
                        // swallowed
                      }
                      long before = System.nanoTime();
                      assertThatThrownBy(() -> tx.update("insert into product values ('p2')"))
                          .isInstanceOf(TransactionAbortedException.class)
                          .hasMessageContaining("statement refused")
                          .hasMessageContaining("SQLSTATE " + Fixture.uniqueViolation())
                          .hasMessageContaining("tx.savepoint");
                      assertThatThrownBy(() -> tx.query("select 1", rs -> 1))
                          .isInstanceOf(TransactionAbortedException.class);
                      assertThat(System.nanoTime() - before)
                          .as("no round trip")
                          .isLessThan(50_000_000L);
                      throw new IllegalStateException("give up");
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("give up")
        .satisfies(
            e ->
                assertThat(e.getSuppressed())
                    .singleElement()
                    .satisfies(
                        s ->
                            assertThat(((SQLException) s).getSQLState())
                                .isEqualTo(Fixture.uniqueViolation())));
  }

  @Test
  void errorRaisedThroughTheRawConnectionIsNamedToo() {
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx -> {
                      try (var st = tx.connection().createStatement()) {
                        st.execute("insert into dependency values ('libfoo')");
                      } catch (SQLException swallowed) {
                        // swallowed
                      }
                    }))
        .isInstanceOf(TransactionAbortedException.class)
        .hasMessageContaining("SQLSTATE " + Fixture.uniqueViolation())
        .hasMessageContaining("insert into dependency values ('libfoo')");
  }

  @Test
  @PostgresOnly(
      "MariaDB: without a driver status txguard aborts the unit on any failed statement, client-side"
          + " errors included (MARIADB.md)")
  void clientSideErrorsDoNotAbortTheUnit() throws Exception {
    db.useTx(
        tx -> {
          tx.update("insert into product values ('p0')");
          assertThatThrownBy(
                  () -> tx.query("select sku from product", rs -> rs.getString("no_such_column")))
              .isInstanceOf(StatementException.class);
          tx.update("insert into product values ('p3')");
          assertThatThrownBy(() -> tx.update("insert into product values (?)"))
              .isInstanceOf(StatementException.class);
          tx.update("insert into product values ('p4')");
        });
    assertThat(testDb.queryLong("select count(*) from product")).isEqualTo(3);
  }

  @Test
  @PostgresOnly(
      "MariaDB: without a driver status only tx.savepoint(...) lifts the abort, not a rollback to"
          + " a savepoint set through tx.connection() (MARIADB.md)")
  void recoveryThroughARawSavepointIsHonoured() throws Exception {
    db.useTx(
        tx -> {
          var c = tx.connection();
          var sp = c.setSavepoint();
          try {
            tx.update("insert into dependency values ('libfoo')");
          } catch (StatementException expected) {
            c.rollback(sp);
          }
          tx.update("insert into product values ('p5')");
        });
    assertThat(testDb.queryLong("select count(*) from product")).isEqualTo(1);
  }

  @Test
  void swallowedErrorCannotCommitWhenTheDriverStateIsHiddenByAWrapper() throws Exception {
    try (Database opaque = Database.builder().dataSource(opaqueDataSource()).poolSize(1).build()) {
      assertThatThrownBy(
              () ->
                  opaque.useTx(
                      tx -> {
                        tx.update("insert into product values ('p1')");
                        try {
                          tx.update("insert into dependency values ('libfoo')");
                        } catch (StatementException e) {
                          // swallowed
                        }
                      }))
          .isInstanceOf(TransactionAbortedException.class)
          .hasMessageContaining("SQLSTATE " + Fixture.uniqueViolation());
      opaque.useTx(
          tx -> { // a savepoint still recovers
            tx.update("insert into product values ('p2')");
            try {
              tx.savepoint(sp -> sp.update("insert into dependency values ('libfoo')"));
            } catch (StatementException expected) {
              // the step was rolled back; the unit goes on
            }
            tx.update("insert into product values ('p3')");
          });
    }
    assertThat(testDb.queryLong("select count(*) from product")).isEqualTo(2);
  }

  /**
   * Connections that hide the driver behind a proxy that cannot be unwrapped, as some tracing
   * wrappers do.
   */
  private static javax.sql.DataSource opaqueDataSource() throws SQLException {
    javax.sql.DataSource real = Fixture.dataSource(testDb);
    return (javax.sql.DataSource)
        java.lang.reflect.Proxy.newProxyInstance(
            AbortedTransactionIT.class.getClassLoader(),
            new Class<?>[] {javax.sql.DataSource.class},
            (proxy, method, args) -> {
              Object result = forward(real, method, args);
              return method.getName().equals("getConnection")
                  ? hide((java.sql.Connection) result)
                  : result;
            });
  }

  private static java.sql.Connection hide(java.sql.Connection real) {
    return (java.sql.Connection)
        java.lang.reflect.Proxy.newProxyInstance(
            AbortedTransactionIT.class.getClassLoader(),
            new Class<?>[] {java.sql.Connection.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "isWrapperFor" -> ((Class<?>) args[0]).isInstance(proxy);
                  case "unwrap" -> {
                    if (((Class<?>) args[0]).isInstance(proxy)) {
                      yield proxy;
                    }
                    throw new SQLException("not a wrapper for " + args[0]);
                  }
                  case "equals" -> proxy == args[0];
                  case "hashCode" -> System.identityHashCode(proxy);
                  default -> forward(real, method, args);
                });
  }

  private static Object forward(Object target, java.lang.reflect.Method method, Object[] args)
      throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (java.lang.reflect.InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
