package dev.txguard.internal.dialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.Isolation;
import dev.txguard.TxException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * PostgreSQL's SQLSTATE classification, per-unit SQL and the choice of dialect; no database needed.
 */
class PostgresDialectTest {
  private final Dialect pg = Dialects.forUrl("jdbc:postgresql://db:5432/app");

  /** An exception with {@code state}, as pgjdbc raises them (no vendor code). */
  private static java.sql.SQLException e(String state) {
    return new java.sql.SQLException("failed", state);
  }

  @ParameterizedTest
  @ValueSource(strings = {"40001", "40P01"})
  void serializationFailuresAndDeadlocksAreRetryable(String state) {
    assertThat(pg.retryable(e(state))).isTrue();
    assertThat(pg.connectionLost(e(state))).isFalse();
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(
      strings = {
        "23505", "40002", "40003", "25P02", "57014", "55P03", "42P01", "XX000", "", "4000"
      })
  void otherStatesAreNotRetryable(String state) {
    assertThat(pg.retryable(e(state))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"08000", "08003", "08006", "08001", "08P01", "57P01", "57P02", "57P03"})
  void connectionLossIsClass08AndServerShutdown(String state) {
    assertThat(pg.connectionLost(e(state))).isTrue();
    assertThat(pg.retryable(e(state)))
        .isFalse(); // counted only when the unit's own connection was lost
  }

  /** An exception as pgjdbc raises it for an ErrorResponse with these severity and code fields. */
  private static PSQLException sent(String severity, String state) {
    return new PSQLException(
        new ServerErrorMessage("S" + severity + "\0C" + state + "\0Mfailed\0"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"08001", "08006", "08P01"})
  void aClass08ErrorTheServerSentAsErrorKeepsTheSession(String state) {
    assertThat(pg.connectionLost(sent("ERROR", state))).isFalse();
    assertThat(pg.connectionLost(sent("FATAL", state))).isTrue();
    assertThat(pg.connectionLost(sent("PANIC", state))).isTrue();
    // a translated severity (lc_messages) is not known: the class rule stays
    assertThat(pg.connectionLost(sent("FEHLER", state))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"57P01", "57P02", "57P03"})
  void serverShutdownIsLostWhateverTheSeverity(String state) {
    assertThat(pg.connectionLost(sent("FATAL", state))).isTrue();
    assertThat(pg.connectionLost(sent("ERROR", state))).isTrue();
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"57014", "57P04", "40001", "23505", "XX000", "0A000", "28000"})
  void otherStatesAreNoConnectionLoss(String state) {
    assertThat(pg.connectionLost(e(state))).isFalse();
  }

  @Test
  void cancelledStatementsAreQueryCanceledAndLockNotAvailable() {
    assertThat(pg.cancelled(e("57014"))).isTrue();
    assertThat(pg.cancelled(e("55P03"))).isTrue();
    assertThat(pg.lockNotAvailable(e("55P03"))).isTrue();
    assertThat(pg.lockNotAvailable(e("57014"))).isFalse();
    assertThat(pg.cancelled(e("40001"))).isFalse();
    assertThat(pg.cancelled(e(null))).isFalse();
  }

  @Test
  void aUnitWithDefaultOptionsSendsNoPrelude() {
    assertThat(pg.unitPrelude(Isolation.READ_COMMITTED, false, 0)).isNull();
  }

  @Test
  void thePreludeSetsCharacteristicsAndBothTimeLimits() {
    assertThat(pg.unitPrelude(Isolation.SERIALIZABLE, true, 0))
        .isEqualTo("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE READ ONLY;");
    assertThat(pg.unitPrelude(Isolation.READ_COMMITTED, false, 250))
        .isEqualTo("SET LOCAL statement_timeout = 250;SET LOCAL lock_timeout = 250;");
    assertThat(pg.unitPrelude(Isolation.REPEATABLE_READ, false, 9))
        .isEqualTo(
            "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ WRITE;"
                + "SET LOCAL statement_timeout = 9;SET LOCAL lock_timeout = 9;");
  }

  @Test
  void insertUnlessConflictDoesNothingOnTheKey() {
    assertThat(
            pg.insertUnlessConflict("s.account", List.of("email", "name"), List.of("email"), "id"))
        .isEqualTo(
            "insert into s.account (email, name) values (?, ?) on conflict (email) do nothing returning id");
  }

  @Test
  void lockStatementsUseTheTwoKeyFunctions() {
    assertThat(pg.transactionLock(false)).isEqualTo("select pg_advisory_xact_lock(?, ?)");
    assertThat(pg.transactionLock(true)).isEqualTo("select pg_advisory_xact_lock_shared(?, ?)");
    assertThat(pg.sessionUnlock(true)).isEqualTo("select pg_advisory_unlock_shared(?, ?)");
    assertThat(pg.transactionLockTimeout(0)).isEqualTo("SET LOCAL lock_timeout = 1");
  }

  @Test
  void theDialectIsChosenByUrlOrProductName() {
    assertThat(Dialects.forUrl("JDBC:POSTGRESQL://h/db")).isSameAs(pg);
    assertThat(Dialects.forProduct("PostgreSQL", "17.2")).isSameAs(pg);
    assertThat(pg.name()).isEqualTo("PostgreSQL");
  }

  @Test
  void anUnsupportedUrlNamesItsDatabaseAndWhatIsSupported() {
    assertThatThrownBy(() -> Dialects.forUrl("jdbc:oracle:thin:@localhost:1521/xe"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "url is for 'oracle', which txguard does not support; supported: PostgreSQL, MariaDB, MySQL"
                + " (a URL starting with jdbc:postgresql:, jdbc:mariadb: or jdbc:mysql:)");
    assertThatThrownBy(() -> Dialects.forUrl("postgres://h/db"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be a JDBC URL starting with jdbc:postgresql:");
  }

  @Test
  void anUnsupportedProductNamesItselfAndWhatIsSupported() {
    assertThatThrownBy(() -> Dialects.forProduct("Oracle", "23.4"))
        .isInstanceOf(TxException.class)
        .hasMessage(
            "the DataSource connects to Oracle 23.4, which txguard does not support;"
                + " supported: PostgreSQL, MariaDB, MySQL");
  }
}
