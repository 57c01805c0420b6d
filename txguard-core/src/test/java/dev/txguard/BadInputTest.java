package dev.txguard;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Every rule on options and builder settings, with its message. */
class BadInputTest {
  @Test
  void nonPositiveTimeout() {
    assertThatThrownBy(() -> TxOptions.defaults().timeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be positive, was PT-1S");
    assertThatThrownBy(() -> TxOptions.defaults().timeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be positive, was PT0S");
    assertThatThrownBy(() -> TxOptions.defaults().timeout(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be positive, was null");
  }

  @Test
  void maxAttemptsBelowOne() {
    assertThatThrownBy(() -> TxOptions.defaults().maxAttempts(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxAttempts must be at least 1, was 0");
  }

  @Test
  void backoffMaxBelowInitial() {
    assertThatThrownBy(
            () -> TxOptions.defaults().backoff(Duration.ofSeconds(1), Duration.ofMillis(10)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("backoff max must be at least initial (PT1S), was PT0.01S");
    assertThatThrownBy(
            () -> TxOptions.defaults().backoff(Duration.ofMillis(-1), Duration.ofMillis(10)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("backoff initial must be zero or positive, was PT-0.001S");
  }

  @Test
  void blankNameAndNullIsolation() {
    assertThatThrownBy(() -> TxOptions.defaults().name(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name must not be blank, was \" \"");
    assertThatThrownBy(() -> TxOptions.defaults().isolation(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("isolation must not be null");
  }

  @Test
  void poolSettings() {
    assertThatThrownBy(() -> Database.builder().poolSize(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("poolSize must be from 1 to 10000, was -1");
    assertThatThrownBy(() -> Database.builder().poolSize(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("poolSize must be from 1 to 10000, was 0");
    assertThatThrownBy(() -> Database.builder().levelPoolSize(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("levelPoolSize must be from 1 to 10000, was 0");
    assertThatThrownBy(() -> Database.builder().maxLevels(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxLevels must be at least 1, was 0");
    assertThatThrownBy(() -> Database.builder().connectionTimeout(Duration.ofMillis(10)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("connectionTimeout must be at least 250 ms, was PT0.01S");
    assertThatThrownBy(() -> Database.builder().leakThreshold(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("leakThreshold must be positive, was PT0S");
  }

  @Test
  void connectionSettings() {
    assertThatThrownBy(() -> Database.builder().url("postgres://localhost/db"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("url must be a JDBC URL starting with jdbc:, was postgres://localhost/db");
    assertThatThrownBy(() -> Database.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("set url(...) or dataSource(...) before build()");
    assertThatThrownBy(() -> Database.builder().dataSource(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dataSource must not be null");
    assertThatThrownBy(
            () ->
                Database.builder()
                    .url("jdbc:postgresql://localhost/x")
                    .dataSource(new org.postgresql.ds.PGSimpleDataSource())
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("set url(...) or dataSource(...), not both");
    assertThatThrownBy(() -> Database.builder().defaults(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("defaults must not be null");
    assertThatThrownBy(() -> Database.builder().listener(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("listener must not be null");
  }

  @Test
  void aUrlThatIsRefusedIsShownWithoutItsPassword() {
    for (String url :
        new String[] {
          " jdbc:postgresql://postgres:Sup3rSecret@127.0.0.1/shop",
          "JDBC:postgresql://127.0.0.1/shop?user=u&password=Sup3rSecret",
          "postgres://u:Sup3rSecret@localhost/db",
          "jdbc-postgresql://h/db?user=nope;password=Sup3rSecret"
        }) {
      assertThatThrownBy(() -> Database.builder().url(url))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("url must be a JDBC URL starting with jdbc:, was ")
          .hasMessageNotContaining("Sup3rSecret");
    }
  }

  @Test
  void durationsAndSizesTheRuntimeCannotHoldAreRefusedWhereTheyAreSet() {
    // regression (issue 14): 300 years was accepted and later failed with a bare
    // ArithmeticException
    Duration centuries = Duration.ofDays(365L * 300);
    String limit =
        " must be at most 2147483647 ms (about 24.8 days, the longest statement or lock timeout"
            + " txguard sets on the server), was "
            + centuries;
    assertThatThrownBy(() -> TxOptions.defaults().timeout(centuries))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout" + limit);
    assertThatThrownBy(() -> TxOptions.defaults().backoff(Duration.ofMillis(5), centuries))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("backoff max" + limit);
    assertThatThrownBy(() -> Database.builder().connectionTimeout(centuries))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("connectionTimeout" + limit);
    assertThatThrownBy(
            () -> Database.builder().connectionTimeout(Duration.ofSeconds(Long.MAX_VALUE)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "connectionTimeout" + limit.replace(centuries.toString(), "PT2562047788015215H30M7S"));
    assertThatThrownBy(() -> Database.builder().leakThreshold(centuries))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("leakThreshold" + limit);
    assertThatThrownBy(() -> Database.builder().poolSize(Integer.MAX_VALUE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("poolSize must be from 1 to 10000, was 2147483647");
    assertThatThrownBy(() -> Database.builder().levelPoolSize(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("levelPoolSize must be from 1 to 10000, was 0");
    TxOptions.defaults().timeout(Duration.ofMillis(Integer.MAX_VALUE)); // the limit itself is fine
  }

  @Test
  void unreachableServerFailsAtBuildNamingTheUrl() {
    assertThatThrownBy(
            () ->
                Database.builder()
                    .url("jdbc:postgresql://127.0.0.1:1/nowhere")
                    .connectionTimeout(Duration.ofMillis(500))
                    .build())
        .isInstanceOf(TxException.class)
        .hasMessageStartingWith(
            "cannot connect to jdbc:postgresql://127.0.0.1:1/nowhere (connectionTimeout 500 ms):");
  }
}
