package dev.txguard.cli.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;

/**
 * Makes the demo's embedded PostgreSQL accept only the demo's own connections. zonky's {@code
 * initdb} trusts every local connection ({@code -A trust}), so while the demo runs any local user
 * or process could connect as the superuser. Right after start this gives {@code postgres} a random
 * password (scram-sha-256, never shown), replaces {@code pg_hba.conf} by lines that ask every
 * connection, socket or TCP, for it, and reloads the configuration (PostgreSQL docs, "The
 * pg_hba.conf File", "Password Authentication"). It then waits, bounded, until a connection without
 * the password is refused, so the demo never runs on an open server. The port is a random free one
 * on loopback (zonky's default).
 */
final class EmbeddedLockdown {
  private static final String HBA =
      """
      # written by txguard demo: every connection must give the demo's random password
      local all all scram-sha-256
      host all all 127.0.0.1/32 scram-sha-256
      host all all ::1/128 scram-sha-256
      """;
  private static final long WAIT_NANOS = 10_000_000_000L;

  private EmbeddedLockdown() {}

  /**
   * Locks the server down.
   *
   * @param port the embedded server's port
   * @return how the demo connects from now on (with the password)
   * @throws IllegalStateException if it cannot be done, or the server still lets a connection in
   *     without the password after 10 s
   */
  static ConnectionInfo lockDown(int port) {
    String url = "jdbc:postgresql://localhost:" + port + "/postgres";
    String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(18));
    ConnectionInfo open = new ConnectionInfo(url, "postgres", null);
    try (Connection c = open.connect();
        Statement st = c.createStatement()) {
      st.execute("set password_encryption = 'scram-sha-256'");
      st.execute("alter role postgres password '" + password + "'");
      Files.writeString(Path.of(hbaFile(st)), HBA, StandardCharsets.UTF_8);
      st.execute("select pg_reload_conf()");
    } catch (SQLException | IOException e) {
      throw new IllegalStateException(
          "cannot make the embedded PostgreSQL ask for a password: "
              + open.redact(DemoServer.rootMessage(e)).replace(password, "***"),
          e);
    }
    awaitRefusal(open);
    return new ConnectionInfo(url, "postgres", password);
  }

  private static String hbaFile(Statement st) throws SQLException {
    try (ResultSet rs = st.executeQuery("show hba_file")) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** Waits until the reload took effect: a connection without the password is refused. */
  private static void awaitRefusal(ConnectionInfo withoutPassword) {
    long end = System.nanoTime() + WAIT_NANOS;
    while (true) {
      try (Connection c = withoutPassword.connect()) {
        if (System.nanoTime() - end > 0) {
          throw new IllegalStateException(
              "the embedded PostgreSQL still accepts connections without a"
                  + " password 10 s after its pg_hba.conf was replaced and reloaded; the demo does not run on it");
        }
      } catch (SQLException e) {
        return; // refused: the password is asked for
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(
            "interrupted while locking down the embedded PostgreSQL", e);
      }
    }
  }
}
