package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.test.PostgresExtension;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A statement run by the method meant for the other kind: the message says which to use. */
@PostgresOnly(
    "the hints name pgjdbc's SQLSTATEs for a statement run by the wrong method (0100E, 02000)")
class StatementKindIT {
  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();
  static Database db;

  @BeforeAll
  static void setUp() {
    db = Fixture.db(pg, 1);
    db.useTx(tx -> tx.update("create table if not exists kinds (id int primary key)"));
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @Test
  void aSelectGivenToUpdateNamesQuery() {
    assertThatThrownBy(() -> db.useTx(tx -> tx.update("select 1")))
        .isInstanceOf(StatementException.class)
        .hasMessageStartingWith("SQLSTATE 0100E (")
        .hasMessageEndingWith(
            "in: select 1; the statement returned rows: run it with tx.query or tx.queryOne"
                + " (tx.update is for statements that return a row count)");
  }

  @Test
  void anUpdateGivenToQueryNamesUpdateAndReturning() {
    assertThatThrownBy(
            () -> db.useTx(tx -> tx.query("update kinds set id = id", rs -> rs.getInt(1))))
        .isInstanceOf(StatementException.class)
        .hasMessageStartingWith("SQLSTATE 02000 (")
        .hasMessageEndingWith(
            "in: update kinds set id = id; the statement returned no result set: run a statement"
                + " without RETURNING with tx.update, or add RETURNING to get rows from it");
    // the hint's advice works
    List<Integer> ids =
        db.inTx(tx -> tx.query("update kinds set id = id returning id", rs -> rs.getInt(1)));
    assertThat(ids).isEmpty();
  }
}
