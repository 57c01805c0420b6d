package dev.txguard;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Every rule on options and builder settings, with its message. */
class BadInputTest {
  @Test
  void nonPositiveTimeout() {
    assertThatThrownBy(() -> TxOptions.defaults().timeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout must be positive, was PT-1S");
    assertThatThrownBy(() -> TxOptions.defaults().timeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout must be positive, was PT0S");
    assertThatThrownBy(() -> TxOptions.defaults().timeout(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout must be positive, was null");
  }

  @Test
  void maxAttemptsBelowOne() {
    assertThatThrownBy(() -> TxOptions.defaults().maxAttempts(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxAttempts must be at least 1, was 0");
  }

  @Test
  void backoffMaxBelowInitial() {
    assertThatThrownBy(() -> TxOptions.defaults().backoff(Duration.ofSeconds(1), Duration.ofMillis(10)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("backoff max must be at least initial (PT1S), was PT0.01S");
    assertThatThrownBy(() -> TxOptions.defaults().backoff(Duration.ofMillis(-1), Duration.ofMillis(10)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("backoff initial must be zero or positive, was PT-0.001S");
  }

  @Test
  void blankNameAndNullIsolation() {
    assertThatThrownBy(() -> TxOptions.defaults().name(" "))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("name must not be blank, was \" \"");
    assertThatThrownBy(() -> TxOptions.defaults().isolation(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("isolation must not be null");
  }

  @Test
  void poolSettings() {
    assertThatThrownBy(() -> Database.builder().poolSize(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("poolSize must be at least 1, was -1");
    assertThatThrownBy(() -> Database.builder().poolSize(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("poolSize must be at least 1, was 0");
    assertThatThrownBy(() -> Database.builder().levelPoolSize(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("levelPoolSize must be at least 1, was 0");
    assertThatThrownBy(() -> Database.builder().maxLevels(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxLevels must be at least 1, was 0");
    assertThatThrownBy(() -> Database.builder().connectionTimeout(Duration.ofMillis(10)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("connectionTimeout must be at least 250 ms, was PT0.01S");
    assertThatThrownBy(() -> Database.builder().leakThreshold(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("leakThreshold must be positive, was PT0S");
  }

  @Test
  void connectionSettings() {
    assertThatThrownBy(() -> Database.builder().url("postgres://localhost/db"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("url must be a JDBC URL starting with jdbc:, was postgres://localhost/db");
    assertThatThrownBy(() -> Database.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessage("set url(...) or dataSource(...) before build()");
    assertThatThrownBy(() -> Database.builder().dataSource(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("dataSource must not be null");
    assertThatThrownBy(() -> Database.builder().url("jdbc:postgresql://localhost/x")
        .dataSource(new org.postgresql.ds.PGSimpleDataSource()).build())
        .isInstanceOf(IllegalStateException.class).hasMessage("set url(...) or dataSource(...), not both");
    assertThatThrownBy(() -> Database.builder().defaults(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("defaults must not be null");
    assertThatThrownBy(() -> Database.builder().listener(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("listener must not be null");
  }

  @Test
  void unreachableServerFailsAtBuildNamingTheUrl() {
    assertThatThrownBy(() -> Database.builder().url("jdbc:postgresql://127.0.0.1:1/nowhere")
        .connectionTimeout(Duration.ofMillis(500)).build())
        .isInstanceOf(TxException.class)
        .hasMessageStartingWith("cannot connect to jdbc:postgresql://127.0.0.1:1/nowhere (connectionTimeout 500 ms):");
  }
}
