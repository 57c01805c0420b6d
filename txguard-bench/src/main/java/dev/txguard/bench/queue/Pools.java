package dev.txguard.bench.queue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/** The peers' pools: HikariCP, 16 connections kept open, READ COMMITTED, as txguard's own pool. */
final class Pools {
  static final int SIZE = 16;

  private Pools() {}

  static HikariDataSource hikari(Server server, String name, boolean autoCommit) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(server.url());
    config.setPoolName("bench-" + name);
    config.setMaximumPoolSize(SIZE);
    config.setMinimumIdle(SIZE);
    config.setAutoCommit(autoCommit);
    config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    return new HikariDataSource(config);
  }
}
