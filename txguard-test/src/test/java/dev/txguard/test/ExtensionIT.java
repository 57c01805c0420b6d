package dev.txguard.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.Database;
import dev.txguard.TxOptions;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** What the extension injects, per class and per isolation mode, and the unit assertions. */
class ExtensionIT {
  @TxguardTest(poolSize = 3)
  @Nested
  class OwnDatabase {
    @Injected Database field;

    @Test
    void injectsOneDatabaseAsFieldAndParameterWithTheAnnotatedPoolSize(
        Database db, TestDatabase tdb, FaultInjector faults, UnitLog units) throws Exception {
      assertThat(db).isSameAs(field).isSameAs(tdb.database());
      assertThat(faults).isSameAs(tdb.faults());
      assertThat(units).isSameAs(tdb.units());
      assertThat(db.poolStats().getFirst().size()).isEqualTo(3);
      String name =
          db.inTx(
              tx -> tx.queryOne("select current_database()", rs -> rs.getString(1)).orElseThrow());
      assertThat(name).isEqualTo(tdb.name()).startsWith("tg_");
    }
  }

  @TxguardTest(isolation = TxguardTest.Isolation.SCHEMA)
  @Nested
  class OwnSchema {
    @Test
    void tablesGoToTheClassesOwnSchema(Database db, TestDatabase tdb) throws Exception {
      tdb.execute("create table t (n int)");
      db.useTx(tx -> tx.update("insert into t values (1)"));
      assertThat(tdb.schema()).startsWith("tg_");
      assertThat(
              tdb.queryLong(
                  "select count(*) from information_schema.tables where table_schema = '"
                      + tdb.schema()
                      + "' and table_name = 't'"))
          .isEqualTo(1);
      assertThat(tdb.queryLong("select count(*) from t")).isEqualTo(1);
    }
  }

  @TxguardTest
  @Nested
  class Assertions {
    @Injected Database db;
    @Injected UnitLog units;
    @Injected static TestDatabase tdb;

    @BeforeAll
    static void schema() throws Exception {
      tdb.execute("create table n (v int)");
    }

    @Test
    void committedRolledBackRetriedAndDurationAreAsserted() throws Exception {
      db.useTx(TxOptions.defaults().name("ok"), tx -> tx.update("insert into n values (1)"));
      assertThatThrownBy(
              () ->
                  db.useTx(
                      TxOptions.defaults().name("bad"),
                      tx -> {
                        throw new IllegalStateException("business rule");
                      }))
          .isInstanceOf(IllegalStateException.class);
      units
          .assertCommitted("ok")
          .assertRolledBack("bad")
          .assertRetried("ok", 0)
          .assertNoUnitLongerThan(Duration.ofMinutes(5));
      assertThatThrownBy(() -> units.assertCommitted("bad"))
          .hasMessageStartingWith(
              "expected every unit 'bad' to be committed, but: unit 'bad' attempt 1 rolled back");
      assertThatThrownBy(() -> units.assertRetried("ok", 2))
          .hasMessageStartingWith(
              "expected unit 'ok' to be retried 2 time(s), but it was retried 0 time(s)");
      assertThatThrownBy(() -> units.assertCommitted("missing"))
          .hasMessage(
              "expected unit 'missing' to be committed, but no unit of that name ran; units that ran: [ok, bad]");
      assertThatThrownBy(() -> units.assertNoUnitLongerThan(Duration.ZERO))
          .hasMessageStartingWith(
              "expected no unit to run longer than 0 ms, but: unit 'ok' attempt 1 committed");
    }
  }
}
