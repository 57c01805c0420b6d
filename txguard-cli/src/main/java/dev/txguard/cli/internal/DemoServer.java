package dev.txguard.cli.internal;

import dev.txguard.internal.Failures;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The server the demo runs on, and the schema of its own it runs in: an embedded PostgreSQL started
 * for the run and deleted afterwards, or an existing server given by URL, where the demo creates
 * {@code txguard_demo_<random>} and drops it (with everything in it) when it closes, also when a
 * story failed or the JVM is interrupted.
 *
 * <p>Every connection the stories open carries the schema as {@code currentSchema} and as {@code
 * ApplicationName}, so that closing can end connections a story left behind (a leaked transaction
 * would otherwise block {@code DROP SCHEMA}).
 *
 * <p>A MariaDB server ({@code jdbc:mariadb:} URL) is used the same way, with a database of its own
 * for the schema (see {@link MariaDbDemo}).
 */
public final class DemoServer implements AutoCloseable {
  private final EmbeddedPostgres embedded;
  private final ConnectionInfo admin;
  private final String schema;
  private final String version;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread shutdownHook;

  private DemoServer(
      EmbeddedPostgres embedded, ConnectionInfo admin, String schema, String version) {
    this.embedded = embedded;
    this.admin = admin;
    this.schema = schema;
    this.version = version;
    this.shutdownHook = new Thread(this::cleanUp, "txguard-demo-cleanup");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Starts an embedded PostgreSQL (zonky binaries) in a fresh temporary data directory, on a random
   * loopback port, that accepts only the demo's own connections (see {@link EmbeddedLockdown}).
   *
   * @param progress receives "starting" and "ready" lines
   * @throws IllegalStateException if the server cannot start
   */
  public static DemoServer embedded(Consumer<String> progress) {
    progress.accept("Starting embedded PostgreSQL ...");
    long start = System.nanoTime();
    EmbeddedPostgres pg;
    try {
      // our own shutdown hook stops it (and drops nothing else), so zonky need not register one
      pg =
          EmbeddedPostgres.builder()
              .setCleanDataDirectory(true)
              .setRegisterShutdownHook(false)
              .setPGStartupWait(Duration.ofSeconds(60))
              .start();
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot start the embedded PostgreSQL: " + rootMessage(e), e);
    }
    try {
      ConnectionInfo admin = EmbeddedLockdown.lockDown(pg.getPort());
      DemoServer server = open(pg, admin);
      progress.accept(
          String.format(
              "Embedded PostgreSQL %s ready in %.1f s",
              server.version, (System.nanoTime() - start) / 1e9));
      return server;
    } catch (RuntimeException e) {
      closeEmbedded(pg, e);
      throw e;
    }
  }

  /**
   * Connects to an existing server and creates the demo's schema there.
   *
   * @throws BadInvocationException if the server cannot be reached or refuses the login, or the
   *     schema cannot be created
   */
  public static DemoServer external(ConnectionInfo admin) {
    return open(null, admin);
  }

  private static DemoServer open(EmbeddedPostgres pg, ConnectionInfo admin) {
    String schema = "txguard_demo_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(5));
    String version;
    try (Connection c = admin.connect()) {
      version = admin.mariaDb() ? MariaDbDemo.serverVersion(c) : serverVersion(c);
      try (Statement st = c.createStatement()) {
        st.execute("create schema " + schema);
      } catch (SQLException e) {
        throw new BadInvocationException(
            "cannot create schema "
                + schema
                + " on "
                + admin.displayUrl()
                + ": "
                + admin.redact(firstLine(e)),
            e);
      }
    } catch (SQLException e) {
      throw new BadInvocationException(
          "cannot connect to " + admin.displayUrl() + ": " + admin.redact(firstLine(e)), e);
    }
    return new DemoServer(pg, admin, schema, version);
  }

  private static String serverVersion(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("show server_version")) {
      rs.next();
      return rs.getString(1).split(" ")[0];
    }
  }

  /** Where stories connect: the server, inside the demo's schema, tagged with the schema's name. */
  public ConnectionInfo storyConnection() {
    if (admin.mariaDb()) {
      return MariaDbDemo.inDatabase(admin, schema);
    }
    return admin.withParameter("currentSchema", schema).withParameter("ApplicationName", schema);
  }

  /** The demo's schema. */
  public String schema() {
    return schema;
  }

  /** Whether this is the embedded server. */
  public boolean isEmbedded() {
    return embedded != null;
  }

  /** The server's version, e.g. {@code 17.6}. */
  public String version() {
    return version;
  }

  /** The server for reports: {@code embedded PostgreSQL 17.6} or the URL (without a password). */
  public String description() {
    return isEmbedded()
        ? "embedded PostgreSQL " + version
        : (admin.mariaDb() ? "MariaDB " : "PostgreSQL ")
            + version
            + " at "
            + admin.displayUrl()
            + (admin.mariaDb() ? ", database " : ", schema ")
            + schema;
  }

  /**
   * Ends the demo's leftover connections and drops its schema; stops and deletes an embedded
   * server. Idempotent.
   *
   * @throws IllegalStateException if the schema could not be dropped (the message names it)
   */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook runs cleanUp itself
    }
    cleanUp();
  }

  private void cleanUp() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (embedded != null) {
      // stopping the server ends every connection, and the data directory goes with it
      closeEmbedded(embedded, null);
      return;
    }
    if (admin.mariaDb()) {
      dropMariaDbDatabase();
      return;
    }
    try (Connection c = admin.connect();
        Statement st = c.createStatement()) {
      st.execute("set statement_timeout = '30s'");
      st.execute(
          "select pg_terminate_backend(pid) from pg_stat_activity where application_name = '"
              + schema
              + "' and pid <> pg_backend_pid()");
      st.execute("drop schema if exists " + schema + " cascade");
    } catch (SQLException e) {
      throw new IllegalStateException(
          "could not drop schema "
              + schema
              + " on "
              + admin.displayUrl()
              + "; drop it by hand: DROP SCHEMA "
              + schema
              + " CASCADE ("
              + rootMessage(e)
              + ")",
          e);
    }
  }

  private void dropMariaDbDatabase() {
    try (Connection c = admin.connect()) {
      MariaDbDemo.dropDatabase(c, schema);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "could not drop database "
              + schema
              + " on "
              + admin.displayUrl()
              + "; drop it by hand: DROP DATABASE "
              + schema
              + " ("
              + rootMessage(e)
              + ")",
          e);
    }
  }

  private static void closeEmbedded(EmbeddedPostgres pg, Exception pending) {
    try {
      pg.close();
    } catch (IOException e) {
      if (pending != null) {
        pending.addSuppressed(e);
      } else {
        throw new IllegalStateException(
            "could not stop the embedded PostgreSQL: " + e.getMessage(), e);
      }
    }
  }

  /** The first line of an error's own message: pgjdbc puts what went wrong there. */
  static String firstLine(Throwable e) {
    String msg = e.getMessage() == null ? e.toString() : e.getMessage();
    // the server's severity adds nothing to a one-line error
    return msg.lines().findFirst().orElse(msg).replaceFirst("^(FATAL|ERROR): ", "");
  }

  /** The innermost message of an error chain: the one that says what really went wrong. */
  static String rootMessage(Throwable e) {
    Throwable root = Failures.root(e);
    String msg = root.getMessage() == null ? root.toString() : root.getMessage();
    return msg.lines().findFirst().orElse(msg);
  }
}
