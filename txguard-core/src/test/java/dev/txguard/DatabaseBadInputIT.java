package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.test.ClassDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Bad arguments to a live database's methods. */
class DatabaseBadInputIT {
  @RegisterExtension static final ClassDatabase testDb = Fixture.classDatabase();
  static Database db;

  @BeforeAll
  static void setUp() {
    db = Fixture.db(testDb, 1);
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @Test
  void nullWork() {
    assertThatThrownBy(() -> db.inTx(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("work must not be null");
    assertThatThrownBy(() -> db.useTx(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("work must not be null");
    assertThatThrownBy(() -> db.isolated(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("work must not be null");
  }

  @Test
  void nullOptions() {
    assertThatThrownBy(() -> db.inTx(null, tx -> 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("options must not be null");
    assertThatThrownBy(() -> db.begin(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("options must not be null");
  }

  @Test
  void nullSqlMapperAndParams() {
    assertThatThrownBy(() -> db.useTx(tx -> tx.update(null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sql must not be null");
    assertThatThrownBy(() -> db.useTx(tx -> tx.query("select 1", null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("mapper must not be null");
    assertThatThrownBy(() -> db.useTx(tx -> tx.update("select ?", (Object[]) null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("params array is null; to bind a single SQL NULL pass (Object) null");
  }

  @Test
  void queryOneWithManyRows() {
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx ->
                        tx.queryOne(
                            "select 1 union all select 2 union all select 3", rs -> rs.getInt(1))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "queryOne expected at most one row but the query returned more:"
                + " select 1 union all select 2 union all select 3");
  }

  @Test
  void aLockTimeoutTheRuntimeCannotHoldIsRefusedNamingTheLimit() {
    // regression (break-it, session 5): a bare ArithmeticException "long overflow"
    assertThatThrownBy(
            () ->
                db.locks()
                    .withExclusive("k", java.time.Duration.ofSeconds(Long.MAX_VALUE), () -> 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("timeout must be at most 2147483647 ms");
  }

  @Test
  void closedDatabase() {
    Database closed = Fixture.db(testDb, 1);
    assertThat(closed.isClosed()).isFalse();
    closed.close();
    assertThat(closed.isClosed()).isTrue();
    assertThatThrownBy(() -> closed.useTx(tx -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageEndingWith("is closed");
  }
}
