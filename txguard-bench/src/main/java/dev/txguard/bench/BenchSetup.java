package dev.txguard.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.txguard.Database;
import dev.txguard.TxListener;
import dev.txguard.TxOptions;
import java.time.Duration;

/**
 * The one place that says how every contender reaches the database, so that no contender can get a
 * better pool than another: the same server, the same size, the same auto-commit and isolation.
 *
 * <p>The settings copy what txguard's own level-0 pool uses (HikariCP, autoCommit false, READ
 * COMMITTED, all connections kept open, 30 s connection timeout): txguard cannot be handed a pool,
 * so the baselines get a pool built to the same recipe instead.
 */
final class BenchSetup {
  /** Read by the runner and by every forked benchmark JVM (forks inherit the environment). */
  static final String URL_ENV = "TXGUARD_BENCH_URL";

  static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

  /**
   * Large enough that no benchmark thread ever waits for a connection (the contention benchmark
   * runs 16 threads), so the pool never decides a race.
   */
  static final int POOL_SIZE = 16;

  private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(30);

  private BenchSetup() {}

  /**
   * Overrides {@link #URL_ENV} in this JVM only: the paired run's smoke test points the units at
   * its own embedded server with it. The JMH runs' forked JVMs do not see it.
   */
  static final String URL_PROPERTY = "txguard.bench.url";

  static String url() {
    String property = System.getProperty(URL_PROPERTY);
    if (property != null && !property.isBlank()) {
      return property;
    }
    String url = System.getenv(URL_ENV);
    return url == null || url.isBlank() ? DEFAULT_URL : url;
  }

  /** A HikariCP pool with exactly the settings of txguard's level-0 pool. */
  static HikariDataSource pool(String name) {
    return pool(name, false);
  }

  /**
   * The same pool with auto-commit on: the one deviation, and only for Jdbi. Jdbi takes a
   * connection that arrives with auto-commit off for one already inside an outer transaction it
   * does not own: {@code inTransaction(SERIALIZABLE, ...)} then fails with "Tried to execute nested
   * transaction with isolation level SERIALIZABLE, but already running in a transaction with
   * isolation level READ_COMMITTED". With auto-commit on, Jdbi switches it off and back itself;
   * pgjdbc makes both switches free of round trips, so the pool's wire traffic per unit is the same
   * as the others'.
   */
  static HikariDataSource poolForJdbi(String name) {
    return pool(name, true);
  }

  /**
   * Set (to {@code true}) in the JVMs of {@link UnitCostBenchmark}: every contender's pool then
   * holds {@link StubJdbc} connections instead of the server's.
   */
  static final String STUB_PROPERTY = "txguard.bench.stub";

  private static boolean stub() {
    return Boolean.getBoolean(STUB_PROPERTY);
  }

  /**
   * Fails a unit-cost run whose JVM lost the stub switch, instead of measuring the server by
   * mistake.
   */
  static void requireStub() {
    if (!stub()) {
      throw new IllegalStateException(
          "UnitCostBenchmark runs on stub JDBC only: start its JVM with -D"
              + STUB_PROPERTY
              + "=true (UnitCost does)");
    }
  }

  private static HikariDataSource pool(String name, boolean autoCommit) {
    HikariConfig config = new HikariConfig();
    if (stub()) {
      config.setDataSource(StubJdbc.dataSource());
    } else {
      config.setJdbcUrl(url());
    }
    config.setPoolName("bench-" + name);
    config.setMaximumPoolSize(POOL_SIZE);
    config.setMinimumIdle(POOL_SIZE);
    config.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
    config.setAutoCommit(autoCommit);
    config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    return new HikariDataSource(config);
  }

  /** A txguard database; its internal pool gets the settings {@link #pool} copies. */
  static Database txguard(TxListener listener) {
    return txguard(listener, TxOptions.defaults());
  }

  /** As {@link #txguard(TxListener)}, with {@code defaults} as the units' default options. */
  static Database txguard(TxListener listener, TxOptions defaults) {
    Database.Builder builder =
        (stub()
                ? Database.builder().dataSource(StubJdbc.dataSource())
                : Database.builder().url(url()))
            .poolSize(POOL_SIZE)
            .connectionTimeout(CONNECTION_TIMEOUT)
            .defaults(defaults);
    if (listener != null) {
      builder.listener(listener);
    }
    return builder.build();
  }

  /** A printable description of the pool settings, for the report. */
  static String describePool() {
    return "HikariCP "
        + POOL_SIZE
        + " connections (min idle "
        + POOL_SIZE
        + "), autoCommit=false,"
        + " READ COMMITTED, connectionTimeout "
        + CONNECTION_TIMEOUT.toSeconds()
        + " s"
        + " (Jdbi's pool: autoCommit=true, which Jdbi's transactions require)";
  }
}
