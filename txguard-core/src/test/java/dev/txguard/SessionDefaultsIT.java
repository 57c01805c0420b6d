package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.test.PostgresExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A unit runs with its own options whatever the server's defaults say: this class's database
 * defaults to SERIALIZABLE, read-only transactions, yet units with default options run READ
 * COMMITTED and may write, from the first unit on a fresh connection (even one that rolls back) to
 * the last; and the pool's idle sessions hold no open transaction.
 */
@PostgresOnly(
    "per-database session defaults (ALTER DATABASE ... SET default_transaction_isolation) exist only in PostgreSQL")
class SessionDefaultsIT {
  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();
  static Database db;

  @BeforeAll
  static void setUp() throws Exception {
    pg.execute(
        "create table t (id int)",
        "alter database " + pg.database() + " set default_transaction_isolation = 'serializable'",
        "alter database " + pg.database() + " set default_transaction_read_only = on");
    db = Fixture.db(pg, 2);
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @Test
  void idlePooledSessionsHoldNoOpenTransaction() throws Exception {
    assertThat(
            pg.queryLong(
                "select count(*) from pg_stat_activity where datname = current_database()"
                    + " and state like 'idle in transaction%'"))
        .isZero();
  }

  @Test
  void unitsRunWithTheirOwnOptionsFromTheFirstOnEvenAfterARollback() throws Exception {
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx -> {
                      tx.query("select 1", rs -> 1);
                      throw new IllegalStateException(
                          "the first unit on this connection rolls back");
                    }))
        .hasMessage("the first unit on this connection rolls back");
    for (int i = 0; i < 4; i++) { // both pooled connections, twice
      String isolation =
          db.inTx(
              tx -> tx.queryOne("show transaction_isolation", rs -> rs.getString(1)).orElseThrow());
      assertThat(isolation).isEqualTo("read committed");
      db.useTx(tx -> tx.update("insert into t values (1)"));
    }
    String serializable =
        db.inTx(
            TxOptions.defaults().isolation(Isolation.SERIALIZABLE).readOnly(true),
            tx -> tx.queryOne("show transaction_isolation", rs -> rs.getString(1)).orElseThrow());
    assertThat(serializable).isEqualTo("serializable");
    assertThat(pg.queryLong("select count(*) from t")).isEqualTo(4);
  }
}
