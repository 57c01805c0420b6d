package dev.txguard.internal;

import com.zaxxer.hikari.HikariConfig;
import dev.txguard.TxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Where connections come from: a JDBC URL with credentials, or a user's DataSource. Secrets never
 * stay in the URL: a {@code password} (or any parameter whose name contains "password") in its query
 * string, and a {@code user:password@} part before the host, are moved into driver properties, so
 * the URL that pools, drivers, logs and messages see holds no secret. Connecting is bounded: the
 * driver's {@code loginTimeout} and {@code connectTimeout} default to the database's connection
 * timeout (a value given in the URL wins). Immutable and thread-safe.
 */
final class ConnectionSource {
  /** Host names, IPv6 literals, ports and commas, then the slash before the database. */
  private static final Pattern HOSTS_THEN_PATH = Pattern.compile("[A-Za-z0-9._\\-\\[\\]:,%]+/");

  private final String url;
  private final Properties properties;
  private final DataSource dataSource;
  private final String user;

  private ConnectionSource(String url, Properties properties, DataSource dataSource, String user) {
    this.url = url;
    this.properties = properties;
    this.dataSource = dataSource;
    this.user = user;
  }

  /** A source over a user's DataSource (whose own settings bound its connecting). */
  static ConnectionSource of(DataSource dataSource) {
    return new ConnectionSource(null, new Properties(), dataSource, null);
  }

  /**
   * A source over a JDBC URL.
   *
   * @param connectionTimeoutMs the bound on connecting, in ms
   * @throws IllegalStateException if the URL holds a password and {@code password} is set too
   */
  static ConnectionSource of(String rawUrl, String user, String password, long connectionTimeoutMs) {
    Properties props = new Properties();
    String url = takeUserInfo(rawUrl, props);
    url = takeSecretParameters(url, props);
    if (password != null) {
      if (props.containsKey("password")) {
        throw new IllegalStateException("the JDBC URL holds a password and password(...) is set too; give it once");
      }
      props.setProperty("password", password);
    }
    if (user != null) {
      props.setProperty("user", user);
    }
    props.setProperty("loginTimeout", String.valueOf(connectionTimeoutMs / 1000.0));
    props.setProperty("connectTimeout", String.valueOf((connectionTimeoutMs + 999) / 1000));
    return new ConnectionSource(url, props, null, props.getProperty("user"));
  }

  /**
   * Moves {@code user:password@} (before the host) into {@code props}. The password may hold any
   * character, {@code @ / ? #} included: the user information ends at the first {@code @} that is
   * followed by host names, ports and commas up to the {@code /} before the database.
   */
  private static String takeUserInfo(String url, Properties props) {
    int slashes = url.indexOf("//");
    if (slashes < 0) {
      return url;
    }
    int hostStart = slashes + 2;
    int at = url.indexOf('@', hostStart);
    while (at >= 0 && !HOSTS_THEN_PATH.matcher(url).region(at + 1, url.length()).lookingAt()) {
      at = url.indexOf('@', at + 1);
    }
    if (at < 0) {
      return url;
    }
    String info = url.substring(hostStart, at);
    int colon = info.indexOf(':');
    String user = colon < 0 ? info : info.substring(0, colon);
    if (!user.isEmpty()) {
      props.setProperty("user", decode(user));
    }
    if (colon >= 0) {
      props.setProperty("password", decode(info.substring(colon + 1)));
    }
    return url.substring(0, hostStart) + url.substring(at + 1);
  }

  /** Redacts what looks like {@code //user:secret@} in text this source did not clean itself. */
  private static final Pattern USER_INFO = Pattern.compile("//[^/@\\s]*:[^@\\s]*@");

  /**
   * {@code text} (a driver's or pool's message) with every secret this source holds, and anything
   * shaped like a URL's {@code user:password@}, replaced by {@code ***}; null stays null.
   */
  String redact(String text) {
    if (text == null) {
      return null;
    }
    String clean = USER_INFO.matcher(text).replaceAll("//***@");
    for (String name : properties.stringPropertyNames()) {
      String value = properties.getProperty(name);
      if (name.toLowerCase(Locale.ROOT).contains("password") && value.length() >= 4) {
        clean = clean.replace(value, "***");
      }
    }
    return clean;
  }

  /** Moves every query parameter whose name contains "password" into {@code props}. */
  private static String takeSecretParameters(String url, Properties props) {
    int q = url.indexOf('?');
    if (q < 0) {
      return url;
    }
    StringBuilder kept = new StringBuilder();
    for (String param : url.substring(q + 1).split("&")) {
      int eq = param.indexOf('=');
      String name = eq < 0 ? param : param.substring(0, eq);
      if (name.toLowerCase(Locale.ROOT).contains("password")) {
        props.setProperty(name, eq < 0 ? "" : decode(param.substring(eq + 1)));
      } else if (!param.isEmpty()) {
        kept.append(kept.isEmpty() ? "" : "&").append(param);
      }
    }
    return kept.isEmpty() ? url.substring(0, q) : url.substring(0, q + 1) + kept;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s; // not percent-encoded after all: the driver gets it as written
    }
  }

  /**
   * {@code failure} itself when no message in its cause chain holds a secret; otherwise a copy of
   * the chain (same classes named, same stack traces) whose messages are {@linkplain #redact
   * redacted}, so that a printed stack trace cannot show the secret either.
   */
  Throwable scrub(Throwable failure) {
    java.util.List<Throwable> chain = Failures.causes(failure);
    boolean secret = false;
    for (Throwable t : chain) {
      String message = t.getMessage();
      secret |= message != null && !message.equals(redact(message));
    }
    if (!secret) {
      return failure;
    }
    Throwable copy = null;
    for (int k = chain.size() - 1; k >= 0; k--) {
      Throwable t = chain.get(k);
      Throwable scrubbed = new TxException(t.getClass().getName() + ": " + redact(t.getMessage()), copy);
      scrubbed.setStackTrace(t.getStackTrace());
      copy = scrubbed;
    }
    return copy;
  }

  /** Configures a HikariCP pool to connect through this source. */
  void configure(HikariConfig config) {
    if (dataSource != null) {
      config.setDataSource(dataSource);
      return;
    }
    config.setJdbcUrl(url);
    for (String name : properties.stringPropertyNames()) {
      switch (name) {
        case "user" -> config.setUsername(properties.getProperty(name));
        case "password" -> config.setPassword(properties.getProperty(name));
        default -> config.addDataSourceProperty(name, properties.getProperty(name));
      }
    }
  }

  /** A new connection straight from the source, not from any pool. */
  Connection open() throws SQLException {
    return dataSource != null ? dataSource.getConnection() : DriverManager.getConnection(url, properties);
  }

  /** Where connections come from, for messages: never a secret. */
  String describe() {
    return dataSource != null ? "the given DataSource" : redact(url) + (user == null ? "" : " as " + user);
  }

  @Override
  public String toString() {
    return describe();
  }
}
