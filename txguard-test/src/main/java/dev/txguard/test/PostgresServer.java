package dev.txguard.test;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The PostgreSQL server that tests run against: the one named by the environment variable
 * {@code TXGUARD_TEST_URL} when it is set, otherwise an embedded PostgreSQL (zonky binaries from
 * Maven Central) started once per JVM and stopped when the JVM exits.
 *
 * <p>{@code TXGUARD_TEST_URL} is a JDBC URL such as
 * {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}; the user and password may also come
 * from {@code TXGUARD_TEST_USER} and {@code TXGUARD_TEST_PASSWORD}. The account must be allowed to
 * create databases, because every test class gets a database of its own (see {@link PostgresExtension}).
 *
 * <p>Thread-safe; {@link #get()} starts the server on first use.
 */
public final class PostgresServer {
  /** Environment variable naming an external server. */
  public static final String URL_VARIABLE = "TXGUARD_TEST_URL";

  private static volatile PostgresServer instance;

  private final String host;
  private final int port;
  private final String adminDatabase;
  private final String user;
  private final String password;
  private final String query;
  private final boolean embedded;

  private PostgresServer(
      String host, int port, String adminDatabase, String user, String password, String query,
      boolean embedded) {
    this.host = host;
    this.port = port;
    this.adminDatabase = adminDatabase;
    this.user = user;
    this.password = password;
    this.query = query;
    this.embedded = embedded;
  }

  /**
   * Returns the JVM's test server, starting the embedded one on first call when no
   * {@code TXGUARD_TEST_URL} is set.
   *
   * @throws IllegalStateException if {@code TXGUARD_TEST_URL} is malformed or the embedded server
   *     cannot start
   */
  public static PostgresServer get() {
    PostgresServer server = instance;
    if (server == null) {
      synchronized (PostgresServer.class) {
        server = instance;
        if (server == null) {
          server = start();
          instance = server;
        }
      }
    }
    return server;
  }

  private static PostgresServer start() {
    String url = System.getenv(URL_VARIABLE);
    if (url != null && !url.isBlank()) {
      return external(url.trim());
    }
    return startEmbedded();
  }

  private static PostgresServer external(String url) {
    if (!url.startsWith("jdbc:postgresql://")) {
      throw new IllegalStateException(
          URL_VARIABLE + " must be a JDBC URL starting with jdbc:postgresql://, was " + url);
    }
    URI uri = URI.create(url.substring("jdbc:".length()));
    String path = uri.getPath() == null || uri.getPath().length() <= 1 ? "/postgres" : uri.getPath();
    String user = System.getenv().getOrDefault("TXGUARD_TEST_USER", param(uri, "user", "postgres"));
    String password = System.getenv().getOrDefault("TXGUARD_TEST_PASSWORD", param(uri, "password", ""));
    int port = uri.getPort() < 0 ? 5432 : uri.getPort();
    return new PostgresServer(uri.getHost(), port, path.substring(1), user, password, "", false);
  }

  private static String param(URI uri, String name, String fallback) {
    if (uri.getQuery() == null) {
      return fallback;
    }
    for (String pair : uri.getQuery().split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        return pair.substring(eq + 1);
      }
    }
    return fallback;
  }

  private static PostgresServer startEmbedded() {
    try {
      EmbeddedPostgres pg = EmbeddedPostgres.builder()
          .setServerConfig("max_connections", "300")
          .start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(pg), "txguard-test-pg-stop"));
      return new PostgresServer("localhost", pg.getPort(), "postgres", "postgres", "", "", true);
    } catch (IOException e) {
      throw new IllegalStateException("could not start the embedded PostgreSQL: " + e.getMessage(), e);
    }
  }

  private static void closeQuietly(EmbeddedPostgres pg) {
    try {
      pg.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether this is the embedded server (as opposed to {@code TXGUARD_TEST_URL}). */
  public boolean embedded() {
    return embedded;
  }

  /** The user tests connect as. */
  public String user() {
    return user;
  }

  /** The password tests connect with (empty when none). */
  public String password() {
    return password;
  }

  /** The server's host name. */
  public String host() {
    return host;
  }

  /** The server's port. */
  public int port() {
    return port;
  }

  /** A JDBC URL for the named database on this server. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database + query;
  }

  /** Opens an unpooled connection to the named database; the caller closes it. */
  public Connection connect(String database) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", user);
    if (!password.isEmpty()) {
      props.setProperty("password", password);
    }
    return DriverManager.getConnection(jdbcUrl(database), props);
  }

  /** Opens an unpooled connection to the server's administrative database. */
  public Connection connectAdmin() throws SQLException {
    return connect(adminDatabase);
  }
}
