package dev.txguard;

import dev.txguard.test.ClassDatabase;
import dev.txguard.test.MariaDbExtension;
import dev.txguard.test.PostgresExtension;
import java.net.URI;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import javax.sql.DataSource;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Shared helpers for core integration tests, and the database they run against: PostgreSQL, or
 * MariaDB when the system property {@value #DATABASE_PROPERTY} is {@code mariadb} (the failsafe
 * execution {@code mariadb} of txguard-core's pom sets it). Tests that run on both get their
 * class's database from {@link #classDatabase()} and their few database-specific statements from
 * the methods below; tests of PostgreSQL's own behaviour are marked {@link PostgresOnly}.
 */
public final class Fixture {
  /** The system property choosing the run's database: {@code postgresql} (default) or mariadb. */
  static final String DATABASE_PROPERTY = "txguard.test.database";

  /** Whether this run's tests run against MariaDB. */
  static final boolean MARIADB = mariaDbChosen();

  private Fixture() {}

  private static boolean mariaDbChosen() {
    String chosen = System.getProperty(DATABASE_PROPERTY, "postgresql").toLowerCase(Locale.ROOT);
    return switch (chosen) {
      case "postgresql" -> false;
      case "mariadb" -> true;
      default ->
          throw new IllegalStateException(
              DATABASE_PROPERTY + " must be postgresql or mariadb, was " + chosen);
    };
  }

  /** A database of the test class's own on this run's server; register it as a static field. */
  @SuppressWarnings("exports") // tests only: txguard-test's fixture, compiled into the tests
  public static ClassDatabase classDatabase() {
    return MARIADB ? new MariaDbExtension() : new PostgresExtension();
  }

  static Database.Builder builder(ClassDatabase database) {
    return Database.builder()
        .url(database.url())
        .user(database.user())
        .password(database.password())
        .connectionTimeout(Duration.ofSeconds(5));
  }

  static Database db(ClassDatabase database, int poolSize) {
    return builder(database).poolSize(poolSize).build();
  }

  static int active(Database db) {
    return db.poolStats().stream().mapToInt(PoolStats::active).sum();
  }

  /** The start of a JDBC URL for this run's driver, up to the host. */
  static String scheme() {
    return MARIADB ? "jdbc:mariadb://" : "jdbc:postgresql://";
  }

  /** The host and port of the class's database (as a URI: {@code getHost()}, {@code getPort()}). */
  static URI address(ClassDatabase database) {
    return URI.create(database.url().substring("jdbc:".length()));
  }

  /** A JDBC URL, without user or password, for another database on the class's server. */
  static String urlOf(ClassDatabase database, String name) {
    URI at = address(database);
    return scheme() + at.getHost() + ":" + at.getPort() + "/" + name;
  }

  /** The driver's own unpooled DataSource for the class's database. */
  static DataSource dataSource(ClassDatabase database) throws SQLException {
    if (MARIADB) {
      MariaDbDataSource source = new MariaDbDataSource(database.url());
      source.setUser(database.user());
      source.setPassword(database.password());
      return source;
    }
    PGSimpleDataSource source = new PGSimpleDataSource();
    source.setURL(database.url());
    source.setUser(database.user());
    source.setPassword(database.password());
    return source;
  }

  /**
   * A statement that fails with {@code sqlState} (and, on MariaDB, error code 1213 for a deadlock,
   * PostgreSQL's 40P01, which MariaDB reports as 40001).
   */
  static String failWith(String sqlState) {
    if (MARIADB) {
      return "40P01".equals(sqlState)
          ? "signal sqlstate '40001' set mysql_errno = 1213, message_text = 'simulated deadlock'"
          : "signal sqlstate '" + sqlState + "' set message_text = 'simulated'";
    }
    return "do $$ begin raise exception 'simulated' using errcode = '" + sqlState + "'; end $$";
  }

  /** A query of the session's server-side id (the backend's pid, the connection id). */
  static String sessionIdQuery() {
    return MARIADB ? "select connection_id()" : "select pg_backend_pid()";
  }

  /** Ends the server session {@code id} from another connection, as an administrator would. */
  static void terminate(ClassDatabase database, long id) throws SQLException {
    database.execute(MARIADB ? "kill connection " + id : "select pg_terminate_backend(" + id + ")");
  }

  /** A query counting the server sessions whose id is {@code id} (0 once it is gone). */
  static String sessionCountQuery(long id) {
    return MARIADB
        ? "select count(*) from information_schema.processlist where id = " + id
        : "select count(*) from pg_stat_activity where pid = " + id;
  }

  /** A statement that sleeps {@code seconds} on the server. */
  static String sleep(double seconds) {
    return (MARIADB ? "select sleep(" : "select pg_sleep(") + seconds + ")";
  }

  /** The column definition of a generated integer primary key. */
  static String generatedKey() {
    return MARIADB ? "int auto_increment primary key" : "serial primary key";
  }

  /** The column definition of a generated bigint primary key. */
  static String generatedBigKey() {
    return MARIADB ? "bigint auto_increment primary key" : "bigserial primary key";
  }

  /** The SQLSTATE of a unique-key violation. */
  static String uniqueViolation() {
    return MARIADB ? "23000" : "23505";
  }

  /** The SQLSTATE of a NOT NULL violation. */
  static String notNullViolation() {
    return MARIADB ? "23000" : "23502";
  }
}
