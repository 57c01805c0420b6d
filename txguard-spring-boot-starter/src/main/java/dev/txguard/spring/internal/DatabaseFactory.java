package dev.txguard.spring.internal;

import dev.txguard.Database;
import dev.txguard.TxListener;
import dev.txguard.TxOptions;
import dev.txguard.spring.TxguardProperties;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.springframework.core.env.Environment;

/**
 * Builds the Database and the default options from {@code txguard.*} and {@code
 * spring.datasource.*}, turning every refusal of core's builders into a message that names the
 * property to fix.
 */
public final class DatabaseFactory {
  private DatabaseFactory() {}

  /**
   * Builds and connects the database.
   *
   * @throws IllegalStateException naming the property when one is missing or refused
   */
  public static Database build(TxguardProperties p, Environment env, List<TxListener> listeners) {
    String url = first(p.getUrl(), env.getProperty("spring.datasource.url"));
    if (url == null || url.isBlank()) {
      throw new IllegalStateException(
          "txguard needs a PostgreSQL database: set txguard.url (or"
              + " spring.datasource.url), e.g. jdbc:postgresql://localhost:5432/app");
    }
    if (!url.startsWith("jdbc:postgresql:")) {
      throw new IllegalStateException(
          "txguard.url (or spring.datasource.url) must be a PostgreSQL JDBC URL"
              + " starting with jdbc:postgresql:, was "
              + redacted(url));
    }
    Database.Builder b = Database.builder();
    set("txguard.url", () -> b.url(url));
    String user = first(p.getUsername(), env.getProperty("spring.datasource.username"));
    String password = first(p.getPassword(), env.getProperty("spring.datasource.password"));
    if (user != null) {
      b.user(user);
    }
    if (password != null) {
      b.password(password);
    }
    set("txguard.pool-size", () -> b.poolSize(p.getPoolSize()));
    set("txguard.level-pool-size", () -> b.levelPoolSize(p.getLevelPoolSize()));
    set("txguard.max-levels", () -> b.maxLevels(p.getMaxLevels()));
    set("txguard.connection-timeout", () -> b.connectionTimeout(p.getConnectionTimeout()));
    set("txguard.leak-threshold", () -> b.leakThreshold(p.getLeakThreshold()));
    b.defaults(defaults(p));
    if (!listeners.isEmpty()) {
      b.listener(listeners.size() == 1 ? listeners.get(0) : new CompositeListener(listeners));
    }
    return b.build();
  }

  /** The options of units whose @Transactional leaves isolation and timeout to the default. */
  public static TxOptions defaults(TxguardProperties p) {
    TxOptions[] o = {TxOptions.defaults()};
    set("txguard.default-isolation", () -> o[0] = o[0].isolation(p.getDefaultIsolation()));
    Duration timeout = p.getDefaultTimeout();
    if (timeout != null) {
      set("txguard.default-timeout", () -> o[0] = o[0].timeout(timeout));
    }
    int attempts = p.getRetryMaxAttempts();
    if (attempts < 2 || attempts > 100) {
      throw new IllegalStateException(
          "txguard.retry-max-attempts must be from 2 to 100, was " + attempts);
    }
    return o[0];
  }

  /** Applies one setting; core's IllegalArgumentException becomes a message naming the property. */
  public static void set(String property, Runnable setter) {
    try {
      setter.run();
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(property + ": " + e.getMessage(), e);
    }
  }

  /** For settings of other builders. */
  public static <T> void set(String property, Consumer<T> setter, T value) {
    set(property, () -> setter.accept(value));
  }

  private static String first(String a, String b) {
    return a != null ? a : b;
  }

  /** The URL without anything that may hold a password: its query and any user:password@. */
  private static String redacted(String url) {
    String s = url.replaceAll("//[^/@]*@", "//***@");
    int q = s.indexOf('?');
    return q < 0 ? s : s.substring(0, q) + "?...";
  }
}
