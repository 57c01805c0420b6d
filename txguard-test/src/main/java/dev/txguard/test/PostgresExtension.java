package dev.txguard.test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension giving a test class a fresh PostgreSQL database of its own on the
 * {@link PostgresServer}, dropped (with its connections) after the class.
 *
 * <pre>{@code
 * @RegisterExtension static final PostgresExtension pg = new PostgresExtension();
 *
 * @Test void works() throws Exception {
 *   try (Connection c = pg.connect()) { ... }
 * }
 * }</pre>
 *
 * <p>Register it as a {@code static} field so it spans the class. Thread-safe after
 * {@code beforeAll}.
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback {
  private volatile String database;

  /** Creates an extension; the database is created before the class's first test. */
  public PostgresExtension() {}

  @Override
  public void beforeAll(ExtensionContext context) throws SQLException {
    String name = "tg_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    try (Connection c = server().connectAdmin(); Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name.toLowerCase(Locale.ROOT));
    }
    database = name;
  }

  @Override
  public void afterAll(ExtensionContext context) throws SQLException {
    String name = database;
    if (name == null) {
      return;
    }
    try (Connection c = server().connectAdmin(); Statement st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
    database = null;
  }

  /** The server this extension's databases live on. */
  public PostgresServer server() {
    return PostgresServer.get();
  }

  /** The name of this class's database. */
  public String database() {
    String name = database;
    if (name == null) {
      throw new IllegalStateException(
          "no database yet: register PostgresExtension as a static @RegisterExtension field");
    }
    return name;
  }

  /** A JDBC URL for this class's database. */
  public String url() {
    return server().jdbcUrl(database());
  }

  /** The user to connect as. */
  public String user() {
    return server().user();
  }

  /** The password to connect with (empty when none). */
  public String password() {
    return server().password();
  }

  /** Opens an unpooled connection (autocommit on) to this class's database; the caller closes it. */
  public Connection connect() throws SQLException {
    return server().connect(database());
  }

  /** Runs statements on an unpooled autocommit connection, e.g. to create tables. */
  public void execute(String... sql) throws SQLException {
    try (Connection c = connect(); Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    }
  }

  /** Runs a query returning one number, e.g. {@code select count(*) from t}. */
  public long queryLong(String sql) throws SQLException {
    try (Connection c = connect();
        Statement st = c.createStatement();
        var rs = st.executeQuery(sql)) {
      if (!rs.next()) {
        throw new IllegalStateException("query returned no row: " + sql);
      }
      return rs.getLong(1);
    }
  }

  /**
   * Waits (at most 60 s) until a session of this database waits for a lock while running a
   * statement whose text contains {@code fragment} (within the first 1024 bytes, as much as
   * {@code pg_stat_activity} shows): how a test arranges that one statement is blocked behind
   * another before letting the other go on.
   *
   * @throws AssertionError if no such session appears in time
   */
  public void awaitLockWait(String fragment) throws SQLException, InterruptedException {
    long end = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
    String query = "select count(*) from pg_stat_activity where datname = current_database()"
        + " and wait_event_type = 'Lock' and position('" + fragment.replace("'", "''") + "' in query) > 0";
    while (queryLong(query) == 0) {
      if (System.nanoTime() > end) {
        throw new AssertionError("no statement containing '" + fragment + "' ever waited for a lock");
      }
      Thread.sleep(10);
    }
  }
}
