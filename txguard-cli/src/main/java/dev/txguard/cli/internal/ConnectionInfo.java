package dev.txguard.cli.internal;

import dev.txguard.internal.ConnectionSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Where the demo connects: a pgjdbc or MariaDB Connector/J URL with its user and password.
 *
 * @param url a {@code jdbc:postgresql://} or {@code jdbc:mariadb://} URL
 * @param user the user, or null for the driver's default
 * @param password the password, or null for none
 */
public record ConnectionInfo(String url, String user, String password) {
  /** Bounds connecting, so an unreachable host fails in seconds rather than minutes. */
  private static final String CONNECT_TIMEOUT_SECONDS = "10";

  /**
   * Takes a {@code user:password@} part out of the URL (pgjdbc does not read it) into {@code user}
   * and {@code password}, unless those are given too; either way the URL shown in messages never
   * holds the password ({@link #displayUrl()}).
   */
  public ConnectionInfo {
    ConnectionSource.UserInfo info = url == null ? null : ConnectionSource.userInfo(url);
    if (info != null && user == null && password == null) {
      url = info.url();
      user = info.user();
      password = info.password();
    }
  }

  /** This URL with one more parameter appended. */
  public ConnectionInfo withParameter(String name, String value) {
    String separator = url.contains("?") ? "&" : "?";
    return new ConnectionInfo(url + separator + name + "=" + value, user, password);
  }

  /** Whether this is a MariaDB server ({@code jdbc:mariadb:}); otherwise it is PostgreSQL. */
  public boolean mariaDb() {
    return url.startsWith(MariaDbDemo.URL_PREFIX);
  }

  /** Opens an unpooled autocommit connection; the caller closes it. */
  public Connection connect() throws SQLException {
    Properties props = new Properties();
    if (user != null) {
      props.setProperty("user", user);
    }
    if (password != null) {
      props.setProperty("password", password);
    }
    // pgjdbc counts connectTimeout in seconds, MariaDB Connector/J in milliseconds
    props.setProperty(
        "connectTimeout", mariaDb() ? CONNECT_TIMEOUT_SECONDS + "000" : CONNECT_TIMEOUT_SECONDS);
    props.setProperty("loginTimeout", CONNECT_TIMEOUT_SECONDS);
    return DriverManager.getConnection(url, props);
  }

  /** The URL as shown in messages: without a password given inside it. */
  public String displayUrl() {
    return redact(url);
  }

  /**
   * {@code text} (a URL, or a driver's message that may quote one) with every password masked: a
   * {@code password=} parameter, a {@code user:password@} part, and this connection's password
   * itself wherever it appears.
   */
  public String redact(String text) {
    return ConnectionSource.redact(text, password);
  }
}
