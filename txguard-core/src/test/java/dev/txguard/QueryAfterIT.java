package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.internal.TxImpl;
import dev.txguard.test.FaultProxy;
import dev.txguard.test.FaultProxy.Sent;
import dev.txguard.test.PostgresExtension;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code TxImpl.queryAfter}, what the queue sends its plan settings with: a statement and then a
 * query, as one multi-statement text, in one round trip (recorded on the wire by a proxy); the
 * first statement's transaction-local setting holds when the query runs and ends with the unit; a
 * failure of either statement fails the unit as any statement's does.
 */
@PostgresOnly(
    "the queue's plan settings are PostgreSQL's, and the round trips are read by a proxy reading PostgreSQL's wire protocol")
class QueryAfterIT {
  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();
  static FaultProxy proxy;
  static Database db;

  private static final String SETTING = "select set_config('enable_seqscan', 'off', true)";
  private static final String SHOW = "select current_setting('enable_seqscan') as s, ? :: int as n";

  @BeforeAll
  static void setUp() throws Exception {
    pg.execute("create table query_after (id int primary key)");
    proxy = new FaultProxy(pg.server());
    proxy.recordStatements();
    db =
        Database.builder()
            .url(proxy.jdbcUrl(pg.database()))
            .user(pg.user())
            .password(pg.password())
            .connectionTimeout(Duration.ofSeconds(5))
            .poolSize(1)
            .build();
  }

  @AfterAll
  static void tearDown() throws Exception {
    db.close();
    proxy.close();
  }

  @Test
  void theQueryRunsAfterTheSettingInTheSameRoundTripAndTheSettingEndsWithTheUnit() {
    List<String> rows =
        db.inTx(
            tx -> {
              List<String> seen =
                  ((TxImpl) tx)
                      .queryAfter(SETTING, SHOW, rs -> rs.getString("s") + " " + rs.getInt("n"), 7);
              tx.update("insert into query_after values (1)");
              return seen;
            });
    assertThat(rows).containsExactly("off 7");
    Optional<String> after =
        db.inTx(tx -> tx.queryOne("show enable_seqscan", rs -> rs.getString(1)));
    assertThat(after).as("the setting in the next unit on the same connection").hasValue("on");
    List<Sent> unit =
        proxy.sent().stream()
            .flatMap(List::stream)
            .dropWhile(s -> !s.sql().contains("set_config('enable_seqscan'"))
            .toList();
    Sent setting = unit.get(0);
    Sent query = unit.get(1);
    assertThat(query.sql()).as("what followed the setting: %s", unit).contains("current_setting");
    assertThat(query.roundTrip())
        .as("the setting and the query share a round trip: %s", unit)
        .isEqualTo(setting.roundTrip());
  }

  @Test
  void aFailingQueryFailsTheUnitAndRollsItBack() {
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx -> {
                      tx.update("insert into query_after values (2)");
                      ((TxImpl) tx)
                          .queryAfter(
                              SETTING,
                              "select id from query_after where id = 1 / ?::int",
                              rs -> rs.getInt(1),
                              0);
                    }))
        .isInstanceOf(StatementException.class)
        .hasMessageContaining("division by zero")
        .satisfies(
            e ->
                assertThat(((StatementException) e).sql())
                    .as("the statement the failure names")
                    .isEqualTo("select id from query_after where id = 1 / ?::int"));
    List<Integer> left =
        db.inTx(tx -> tx.query("select id from query_after where id = 2", rs -> rs.getInt(1)));
    assertThat(left).as("the unit's earlier insert").isEmpty();
  }

  /**
   * pgjdbc's force-binary mode ({@code prepareThreshold=-1}) binds a multi-statement text with the
   * wrong result formats (SQLSTATE 08P01), so there the two statements go one after the other.
   */
  @Test
  void withANegativePrepareThresholdTheStatementsGoInTwoRoundTrips() throws Exception {
    try (Database forceBinary =
        Database.builder()
            .url(proxy.jdbcUrl(pg.database()).replace("prepareThreshold=0", "prepareThreshold=-1"))
            .user(pg.user())
            .password(pg.password())
            .connectionTimeout(Duration.ofSeconds(5))
            .poolSize(1)
            .build()) {
      for (int i = 0; i < 3; i++) {
        int n = i;
        List<String> rows =
            forceBinary.inTx(
                tx ->
                    ((TxImpl) tx)
                        .queryAfter(
                            SETTING,
                            SHOW + ", 'binary' as mark, 1 as a, 2 as b",
                            rs -> rs.getString("s") + " " + rs.getInt("n"),
                            n));
        assertThat(rows).containsExactly("off " + n);
      }
    }
    // force-binary mode prepares each statement on the server at once: each text is sent once
    List<Sent> sent =
        proxy.sent().stream()
            .flatMap(List::stream)
            .filter(
                s ->
                    s.sql().contains("set_config('enable_seqscan'") || s.sql().contains("'binary'"))
            .toList();
    int query = sent.size() - 1;
    assertThat(sent.get(query).sql()).as("the last of %s", sent).contains("'binary'");
    assertThat(sent.get(query).roundTrip())
        .as("the query in a round trip apart from the setting before it: %s", sent)
        .isNotEqualTo(sent.get(query - 1).roundTrip());
  }

  @Test
  void aSecondStatementThatReturnsNoRowsIsRefusedByName() {
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx ->
                        ((TxImpl) tx)
                            .queryAfter(
                                SETTING,
                                "update query_after set id = id where id = ?",
                                rs -> 1,
                                99)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("returned none")
        .hasMessageContaining("update query_after");
  }
}
