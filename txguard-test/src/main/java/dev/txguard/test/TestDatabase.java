package dev.txguard.test;

import dev.txguard.Database;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A test class's own PostgreSQL database (or schema), with a txguard {@link Database} over it built
 * through a {@link FaultInjector} and a {@link UnitLog}. Made by the {@link TxguardExtension}
 * before the class's first test and dropped after its last; inject it as a parameter or an {@link
 * Injected} field. Thread-safe.
 */
public final class TestDatabase implements AutoCloseable {
  private static final String SHARED = "txguard_shared";
  private static volatile boolean sharedCreated;

  private final String database;
  private final String schema;
  private final PostgresServer server;
  private final PGSimpleDataSource plain;
  private final FaultInjector faults = FaultInjector.create();
  private final UnitLog units = new UnitLog();
  private final Database db;

  private TestDatabase(
      PostgresServer server, String database, String schema, TxguardTest settings) {
    this.server = server;
    this.database = database;
    this.schema = schema;
    this.plain = new PGSimpleDataSource();
    plain.setUrl(server.jdbcUrl(database));
    plain.setUser(server.user());
    if (!server.password().isEmpty()) {
      plain.setPassword(server.password());
    }
    if (schema != null) {
      plain.setCurrentSchema(schema);
    }
    this.db =
        Database.builder()
            .dataSource(faults.wrap(plain))
            .listener(new Listeners(List.of(faults.listener(), units.listener())))
            .poolSize(settings.poolSize())
            .levelPoolSize(settings.levelPoolSize())
            .connectionTimeout(Duration.ofSeconds(settings.connectionTimeoutSeconds()))
            .build();
  }

  /** Creates a database (or a schema in the shared database) on the test server. */
  static TestDatabase create(TxguardTest settings) throws SQLException {
    PostgresServer server = PostgresServer.get();
    String name =
        "tg_"
            + UUID.randomUUID()
                .toString()
                .replace("-", "")
                .substring(0, 16)
                .toLowerCase(Locale.ROOT);
    if (settings.isolation() == TxguardTest.Isolation.SCHEMA) {
      createShared(server);
      try (Connection c = server.connect(SHARED);
          Statement st = c.createStatement()) {
        st.execute("create schema " + name);
      }
      return new TestDatabase(server, SHARED, name, settings);
    }
    try (Connection c = server.connectAdmin();
        Statement st = c.createStatement()) {
      st.execute("create database " + name);
    }
    return new TestDatabase(server, name, null, settings);
  }

  private static synchronized void createShared(PostgresServer server) throws SQLException {
    if (sharedCreated) {
      return;
    }
    try (Connection c = server.connectAdmin();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("select 1 from pg_database where datname = '" + SHARED + "'")) {
      if (!rs.next()) {
        try (Statement create = c.createStatement()) {
          create.execute("create database " + SHARED);
        } catch (SQLException e) {
          if (!"42P04".equals(e.getSQLState())) { // created meanwhile by another JVM
            throw e;
          }
        }
      }
    }
    sharedCreated = true;
  }

  /**
   * {@return the txguard database under test: built over {@link #faults()}, logging to {@link
   * #units()}}
   */
  public Database database() {
    return db;
  }

  /** {@return the fault injector the {@link #database()} runs under} */
  public FaultInjector faults() {
    return faults;
  }

  /** {@return the units the {@link #database()} ran since the current test began} */
  public UnitLog units() {
    return units;
  }

  /** {@return the database's name} */
  public String name() {
    return database;
  }

  /**
   * {@return the class's schema in {@link TxguardTest.Isolation#SCHEMA} mode, or {@code "public"}}
   */
  public String schema() {
    return schema == null ? "public" : schema;
  }

  /** {@return a JDBC URL for the database (in schema mode, with {@code currentSchema} set)} */
  public String url() {
    return server.jdbcUrl(database)
        + (schema == null
            ? ""
            : (server.jdbcUrl(database).contains("?") ? "&" : "?") + "currentSchema=" + schema);
  }

  /** {@return the user to connect as} */
  public String user() {
    return server.user();
  }

  /** {@return the password to connect with (empty when none)} */
  public String password() {
    return server.password();
  }

  /**
   * An unpooled DataSource for the database, outside txguard and the fault injector: for setup,
   * checks and other databases' builders.
   *
   * @return the same DataSource on every call; each connection it opens is new and the caller
   *     closes it
   */
  public DataSource plainDataSource() {
    return plain;
  }

  /**
   * {@return a new unpooled autocommit connection outside txguard; the caller closes it}
   *
   * @throws SQLException as the driver raised it
   */
  public Connection connect() throws SQLException {
    return plain.getConnection();
  }

  /**
   * Runs statements on an unpooled autocommit connection, e.g. to create tables.
   *
   * @param sql statements run in order; the first failing one ends the call
   * @throws SQLException as the driver raised it
   */
  public void execute(String... sql) throws SQLException {
    try (Connection c = connect();
        Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    }
  }

  /**
   * Runs a query returning one number, e.g. {@code select count(*) from t}.
   *
   * @param sql a query whose first column of its first row is a number
   * @return that number (0 when it is SQL NULL)
   * @throws IllegalStateException if it returns no row
   * @throws SQLException as the driver raised it
   */
  public long queryLong(String sql) throws SQLException {
    try (Connection c = connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      if (!rs.next()) {
        throw new IllegalStateException("query returned no row: " + sql);
      }
      return rs.getLong(1);
    }
  }

  /**
   * Runs a query and returns its rows, each a list of column values as the driver reads them.
   *
   * @param sql the query
   * @return the rows in the query's order; numbers, booleans and strings as read, other values as
   *     their {@code toString()}, SQL NULL as null
   * @throws SQLException as the driver raised it
   */
  public List<List<Object>> query(String sql) throws SQLException {
    try (Connection c = connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      ResultSetMetaData md = rs.getMetaData();
      List<List<Object>> rows = new ArrayList<>();
      while (rs.next()) {
        List<Object> row = new ArrayList<>(md.getColumnCount());
        for (int i = 1; i <= md.getColumnCount(); i++) {
          Object v = rs.getObject(i);
          row.add(
              v == null
                  ? null
                  : v instanceof Number || v instanceof Boolean || v instanceof String
                      ? v
                      : v.toString());
        }
        rows.add(row);
      }
      return rows;
    }
  }

  /**
   * Waits (at most 60 s) until a session of this database waits for a lock while running a
   * statement whose text contains {@code fragment} (within the first 1024 bytes, as much as {@code
   * pg_stat_activity} shows): how a test arranges that one statement is blocked behind another
   * before letting the other go on.
   *
   * @param fragment text of the blocked statement
   * @throws AssertionError if no such session appears in time
   * @throws SQLException if {@code pg_stat_activity} cannot be read
   * @throws InterruptedException if the waiting thread is interrupted
   */
  public void awaitLockWait(String fragment) throws SQLException, InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String query =
        "select count(*) from pg_stat_activity where datname = current_database()"
            + " and wait_event_type = 'Lock' and position('"
            + fragment.replace("'", "''")
            + "' in query) > 0";
    while (queryLong(query) == 0) {
      if (System.nanoTime() > end) {
        throw new AssertionError(
            "no statement containing '" + fragment + "' ever waited for a lock");
      }
      Thread.sleep(10);
    }
  }

  /**
   * Closes the database and drops it (or the schema), ending its sessions.
   *
   * @throws SQLException if the database or schema cannot be dropped
   */
  @Override
  public void close() throws SQLException {
    db.close();
    if (schema != null) {
      try (Connection c = server.connect(database);
          Statement st = c.createStatement()) {
        st.execute("drop schema if exists " + schema + " cascade");
      }
      return;
    }
    try (Connection c = server.connectAdmin();
        Statement st = c.createStatement()) {
      st.execute("drop database if exists " + database + " with (force)");
    }
  }

  @Override
  public String toString() {
    return "TestDatabase[" + database + (schema == null ? "" : "." + schema) + "]";
  }
}
