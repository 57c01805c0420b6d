package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.test.PostgresExtension;
import dev.txguard.test.Progress;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
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
    // the pool opens its connections in the background, and a connection being set up (its session
    // settings sent, then committed) is briefly idle in transaction on a loaded machine: look once
    // the pool counts both connections idle, set up
    Progress.awaitStep(
        "both pooled connections set up and idle",
        () -> db.poolStats().stream().anyMatch(p -> p.level() == 0 && p.idle() == 2),
        () -> db.poolStats());
    assertThat(idleInTransaction())
        .as("sessions idle in transaction (pid, application, last statement)")
        .isEmpty();
  }

  private static List<String> idleInTransaction() throws Exception {
    List<String> sessions = new ArrayList<>();
    try (Connection c = pg.connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "select pid, application_name, left(query, 80) from pg_stat_activity where"
                    + " datname = current_database() and state like 'idle in transaction%'")) {
      while (rs.next()) {
        sessions.add(rs.getInt(1) + " " + rs.getString(2) + ": " + rs.getString(3));
      }
    }
    return sessions;
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
