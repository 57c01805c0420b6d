package dev.txguard.cli.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.txguard.Database;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Random;

/**
 * What a story run gets: connections into the demo's schema, the seed of its randomised parts, and
 * small helpers to set up tables and count rows. Thread-safe.
 */
public final class StoryContext {
  private final ConnectionInfo connection;
  private final long seed;

  /**
   * Creates a context.
   *
   * @param connection where the story connects (the demo's schema)
   * @param seed the story's seed: both variants of a story get the same one, so they replay the
   *     same scenario
   */
  public StoryContext(ConnectionInfo connection, long seed) {
    this.connection = connection;
    this.seed = seed;
  }

  /** A new random generator from the story's seed; every call starts the same sequence. */
  public Random random() {
    return new Random(seed);
  }

  /** The story's seed. */
  public long seed() {
    return seed;
  }

  /** Where the story connects. */
  public ConnectionInfo connection() {
    return connection;
  }

  /** The demo's schema, where the story's tables (and a job queue's) live. */
  public String schema() throws SQLException {
    try (Connection c = connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(mariaDb() ? "select database()" : "select current_schema()")) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** Whether the demo runs on MariaDB; otherwise on PostgreSQL. */
  public boolean mariaDb() {
    return connection.mariaDb();
  }

  /** Opens an unpooled autocommit connection into the demo's schema; the caller closes it. */
  public Connection connect() throws SQLException {
    return connection.connect();
  }

  /**
   * A plain HikariCP pool, the way naive code gets its connections: no unit, no leak report, no
   * levels. The caller closes it; closing it ends connections that were never given back.
   */
  public HikariDataSource plainPool(
      String name, int size, Duration connectionTimeout, boolean autoCommit) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(connection.url());
    config.setUsername(connection.user());
    config.setPassword(connection.password());
    config.setPoolName("naive-" + name);
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(size);
    config.setConnectionTimeout(connectionTimeout.toMillis());
    config.setAutoCommit(autoCommit);
    return new HikariDataSource(config);
  }

  /** A txguard database builder already pointed at the demo's schema. */
  public Database.Builder database() {
    return Database.builder()
        .url(connection.url())
        .user(connection.user())
        .password(connection.password());
  }

  /**
   * Runs a SQL script from this package's resources: statements separated by {@code ;} at the end
   * of a line (the demo's scripts have no functions or quoted semicolons). On MariaDB it runs the
   * script's MariaDB form, {@code NAME.mariadb.sql}.
   */
  public void runScript(String resource) throws SQLException {
    String script = readResource(mariaDb() ? MariaDbDemo.script(resource) : resource);
    try (Connection c = connect();
        Statement st = c.createStatement()) {
      for (String sql : script.split(";\\s*(\\n|$)")) {
        if (!sql.isBlank()) {
          st.execute(sql);
        }
      }
    }
  }

  private static String readResource(String resource) {
    try (InputStream in = StoryContext.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "missing resource " + resource + " next to " + StoryContext.class);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs a query returning one number (e.g. {@code count(*)}) on its own connection. */
  public long queryLong(String sql, Object... params) throws SQLException {
    try (Connection c = connect();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException("query returned no row: " + sql);
        }
        return rs.getLong(1);
      }
    }
  }

  /**
   * Transactions of this demo still open on the server right now ("idle in transaction" or
   * running), other than the caller's own connection.
   */
  public long openTransactions() throws SQLException {
    if (mariaDb()) {
      return queryLong(MariaDbDemo.openTransactionsQuery());
    }
    return queryLong(
        "select count(*) from pg_stat_activity where application_name = current_setting('application_name')"
            + " and xact_start is not null and pid <> pg_backend_pid()");
  }
}
