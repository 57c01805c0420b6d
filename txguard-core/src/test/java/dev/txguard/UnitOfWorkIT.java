package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.test.ClassDatabase;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** All-or-nothing units, checked exceptions, joins and the manual API. */
class UnitOfWorkIT {
  @RegisterExtension static final ClassDatabase testDb = Fixture.classDatabase();
  static Database db;

  @BeforeAll
  static void setUp() throws Exception {
    testDb.execute("create table step (id int primary key, note text not null)");
    db = Fixture.db(testDb, 4);
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @BeforeEach
  void clean() throws Exception {
    testDb.execute("truncate step");
  }

  @Test
  void sixWritesFailingAtTheFourthChangeNothingAndReturnTheConnection() throws Exception {
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx -> {
                      for (int i = 1; i <= 6; i++) {
                        tx.update(
                            "insert into step(id, note) values (?, ?)",
                            i,
                            i == 4 ? null : "write " + i);
                      }
                    }))
        .isInstanceOf(StatementException.class)
        .hasMessageContaining("SQLSTATE " + Fixture.notNullViolation())
        .hasMessageContaining("insert into step");
    assertThat(testDb.queryLong("select count(*) from step")).isZero();
    assertThat(Fixture.active(db)).isZero();
  }

  @Test
  void returnsTheResultAfterCommit() throws Exception {
    int rows = db.inTx(tx -> tx.update("insert into step values (1, 'a'), (2, 'b')"));
    assertThat(rows).isEqualTo(2);
    assertThat(testDb.queryLong("select count(*) from step")).isEqualTo(2);
    List<String> notes =
        db.inTx(tx -> tx.query("select note from step order by id", rs -> rs.getString(1)));
    assertThat(notes).containsExactly("a", "b");
    Optional<String> missing =
        db.inTx(tx -> tx.queryOne("select note from step where id = ?", rs -> rs.getString(1), 3));
    assertThat(missing).isEmpty();
  }

  @Test
  void checkedExceptionReachesTheCallerUnchangedAndRollsBack() throws Exception {
    IOException thrown = new IOException("disk full");
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx -> {
                      tx.update("insert into step values (1, 'a')");
                      throw thrown;
                    }))
        .isSameAs(thrown);
    assertThat(testDb.queryLong("select count(*) from step")).isZero();
    assertThat(Fixture.active(db)).isZero();
  }

  @Test
  void errorsThrownByTheCallbackRollBackToo() throws Exception {
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx -> {
                      tx.update("insert into step values (1, 'a')");
                      throw new AssertionError("boom");
                    }))
        .isInstanceOf(AssertionError.class)
        .hasMessage("boom");
    assertThat(testDb.queryLong("select count(*) from step")).isZero();
  }

  @Test
  void nestedInTxJoinsTheOuterUnit() throws Exception {
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx -> {
                      tx.update("insert into step values (1, 'outer')");
                      db.useTx(
                          inner -> {
                            assertThat(inner).isSameAs(tx);
                            inner.update("insert into step values (2, 'inner')");
                          });
                      throw new IllegalStateException("outer fails after the inner call returned");
                    }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(testDb.queryLong("select count(*) from step")).isZero();
  }

  @Test
  void aNestedCallThatThrowsMakesTheOuterUnitUnableToCommit() throws Exception {
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx -> {
                      tx.update("insert into step values (1, 'outer')");
                      try {
                        db.useTx(
                            inner -> {
                              inner.update("insert into step values (2, 'inner')");
                              throw new IllegalArgumentException("inner business rule");
                            });
                      } catch (IllegalArgumentException swallowed) {
                        // the outer unit goes on as if nothing happened
                      }
                    }))
        .isInstanceOf(TransactionAbortedException.class)
        .hasMessageContaining("nested call")
        .hasRootCauseMessage("inner business rule");
    assertThat(testDb.queryLong("select count(*) from step")).isZero();
  }

  @Test
  void nestedCallWithStricterIsolationFailsNamingBoth() {
    assertThatThrownBy(
            () ->
                db.useTx(
                    TxOptions.defaults().name("outer"),
                    tx ->
                        db.useTx(
                            TxOptions.defaults().name("inner").isolation(Isolation.SERIALIZABLE),
                            inner -> {})))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("nested unit 'inner' asks for isolation SERIALIZABLE")
        .hasMessageContaining("join unit 'outer' (READ_COMMITTED");
  }

  @Test
  void nestedReadWriteInsideReadOnlyFails() {
    assertThatThrownBy(
            () ->
                db.useTx(
                    TxOptions.defaults().name("report").readOnly(true),
                    tx -> db.useTx(inner -> {})))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("asks for read-write but the unit is read-only")
        .hasMessageContaining("'report'");
  }

  @Test
  void readOnlyUnitRefusesWrites() {
    assertThatThrownBy(
            () ->
                db.useTx(
                    TxOptions.defaults().readOnly(true),
                    tx -> tx.update("insert into step values (1, 'a')")))
        .isInstanceOf(StatementException.class)
        .hasMessageContaining("SQLSTATE 25006");
  }

  @Test
  void aReadOnlyUnitLeavesNoReadOnlyModeToTheNextUnitOnItsConnection() {
    try (Database one = Fixture.builder(testDb).poolSize(1).build()) {
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(
                () ->
                    one.useTx(
                        TxOptions.defaults().readOnly(true),
                        tx -> tx.update("insert into step values (7, 'read-only')")))
            .isInstanceOf(StatementException.class)
            .hasMessageContaining("25006");
        // the same pooled connection, read-write again
        int inserted = one.inTx(tx -> tx.update("insert into step values (7, 'rw')"));
        assertThat(inserted).isEqualTo(1);
        one.useTx(tx -> tx.update("delete from step where id = 7"));
      }
    }
  }

  @Test
  @PostgresOnly(
      "MariaDB shows no reliable isolation of the current transaction (innodb_trx keeps a reused"
          + " transaction's earlier level); MariaDbSessionsAndLocksIT checks it on a fresh connection")
  void isolationIsApplied() throws Exception {
    for (Isolation level : Isolation.values()) {
      String shown =
          db.inTx(
              TxOptions.defaults().isolation(level),
              tx -> tx.queryOne("show transaction_isolation", rs -> rs.getString(1)).orElseThrow());
      assertThat(shown).isEqualToIgnoringCase(level.sql());
    }
  }

  @Test
  void manualHandleCommitsOnlyWhenToldTo() throws Exception {
    try (TxHandle h = db.begin(TxOptions.defaults().name("manual"))) {
      h.tx().update("insert into step values (1, 'kept')");
      h.commit();
    }
    try (TxHandle h = db.begin()) {
      h.tx().update("insert into step values (2, 'dropped')");
      // early return without commit: close() rolls back
    }
    assertThat(testDb.queryLong("select count(*) from step")).isEqualTo(1);
    assertThat(Fixture.active(db)).isZero();
  }

  @Test
  void txUsedAfterItsUnitEndedNamesTheUnit() throws Exception {
    Tx leaked = db.inTx(TxOptions.defaults().name("finished"), tx -> tx);
    assertThatThrownBy(() -> leaked.update("select 1"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("unit 'finished'")
        .hasMessageContaining("already ended: committed");
    assertThat(leaked.name()).isEqualTo("finished");
  }

  @Test
  void rawConnectionRefusesToEndTheTransaction() throws Exception {
    db.useTx(
        tx -> {
          var c = tx.connection();
          assertThatThrownBy(c::commit)
              .isInstanceOf(IllegalStateException.class)
              .hasMessageContaining("Connection.commit() is not allowed")
              .hasMessageContaining("unit 'tx'");
          assertThatThrownBy(c::rollback)
              .isInstanceOf(IllegalStateException.class)
              .hasMessageContaining("Connection.rollback() is not allowed");
          assertThatThrownBy(c::close)
              .isInstanceOf(IllegalStateException.class)
              .hasMessageContaining("Connection.close() is not allowed");
          assertThatThrownBy(() -> c.setAutoCommit(true))
              .isInstanceOf(IllegalStateException.class)
              .hasMessageContaining("Connection.setAutoCommit() is not allowed");
          try (var st = c.prepareStatement("insert into step values (?, ?)")) {
            st.setInt(1, 7);
            st.setString(2, "raw");
            st.executeUpdate();
          }
        });
    assertThat(testDb.queryLong("select count(*) from step where id = 7")).isEqualTo(1);
  }
}
