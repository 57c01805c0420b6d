package dev.txguard;

import dev.txguard.test.PostgresExtension;
import java.time.Duration;

/** Shared helpers for core integration tests. */
final class Fixture {
  private Fixture() {}

  static Database.Builder builder(PostgresExtension pg) {
    return Database.builder()
        .url(pg.url())
        .user(pg.user())
        .password(pg.password())
        .connectionTimeout(Duration.ofSeconds(5));
  }

  static Database db(PostgresExtension pg, int poolSize) {
    return builder(pg).poolSize(poolSize).build();
  }

  static int active(Database db) {
    return db.poolStats().stream().mapToInt(PoolStats::active).sum();
  }
}
