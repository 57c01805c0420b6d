package dev.txguard;

import dev.txguard.test.MariaDbExtension;
import java.time.Duration;

/** Shared helpers for core integration tests against MariaDB. */
final class MariaDbFixture {
  private MariaDbFixture() {}

  static Database.Builder builder(MariaDbExtension maria) {
    return Database.builder()
        .url(maria.url())
        .user(maria.user())
        .password(maria.password())
        .connectionTimeout(Duration.ofSeconds(5));
  }

  static Database db(MariaDbExtension maria, int poolSize) {
    return builder(maria).poolSize(poolSize).build();
  }
}
