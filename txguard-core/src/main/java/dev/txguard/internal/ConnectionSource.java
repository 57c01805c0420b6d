package dev.txguard.internal;

import com.zaxxer.hikari.HikariConfig;
import dev.txguard.TxException;
import dev.txguard.internal.dialect.Dialect;
import dev.txguard.internal.dialect.Dialects;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Where connections come from: a JDBC URL with credentials, or a user's DataSource. Secrets never
 * stay in the URL: a {@code password} (or any parameter whose name contains "password") in its
 * query string, and a {@code user:password@} part before the host, are moved into driver
 * properties, so the URL that pools, drivers, logs and messages see holds no secret. Connecting is
 * bounded: the driver's connect and login timeouts (the dialect's {@code connectProperties}, e.g.
 * pgjdbc's {@code loginTimeout} and {@code connectTimeout} in seconds, MariaDB's {@code
 * connectTimeout} in ms) default to the database's connection timeout (a value given in the URL
 * wins where the driver lets it). Immutable and thread-safe.
 */
public final class ConnectionSource {
  /** Host names, IPv6 literals, ports and commas, then the slash before the database. */
  private static final Pattern HOSTS_THEN_PATH =
      Pattern.compile("[A-Za-z0-9._\\-\\[\\]:,%]+(/|\\?|$)");

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
  static ConnectionSource of(
      String rawUrl, String user, String password, long connectionTimeoutMs) {
    Properties props = new Properties();
    String url = takeUserInfo(rawUrl, props);
    url = takeSecretParameters(url, props);
    if (password != null) {
      if (props.containsKey("password")) {
        throw new IllegalStateException(
            "the JDBC URL holds a password and password(...) is set too; give it once");
      }
      props.setProperty("password", password);
    }
    if (user != null) {
      props.setProperty("user", user);
    }
    try {
      Dialects.forUrl(url).connectProperties(connectionTimeoutMs).forEach(props::setProperty);
    } catch (IllegalArgumentException unsupported) {
      // Engine refuses the URL with the dialect's message
    }
    return new ConnectionSource(url, props, null, props.getProperty("user"));
  }

  /**
   * A URL's {@code user:password@} part, taken out: the URL without it, and the user and password
   * (percent-decoding applied); null when the URL has none.
   */
  public record UserInfo(String url, String user, String password) {
    @Override
    public String toString() {
      return "UserInfo[" + url + ", user " + user + "]"; // never the password
    }
  }

  /**
   * Finds the {@code user:password@} part of a JDBC URL (pgjdbc itself does not read it). The
   * password may hold any character, {@code @ / ? :} included: the part ends at the last {@code @}
   * that is followed by host names, ports and commas up to a {@code /}, with no other {@code @}
   * before the query string.
   *
   * @return the parts, or null when there is no such part
   */
  public static UserInfo userInfo(String url) {
    int slashes = url.indexOf("//");
    if (slashes < 0) {
      return null;
    }
    int hostStart = slashes + 2;
    for (int at = url.lastIndexOf('@'); at >= hostStart; at = url.lastIndexOf('@', at - 1)) {
      if (HOSTS_THEN_PATH.matcher(url).region(at + 1, url.length()).lookingAt()
          && noAtBeforeQuery(url, at + 1)) {
        String info = url.substring(hostStart, at);
        int colon = info.indexOf(':');
        String user = colon < 0 ? info : info.substring(0, colon);
        return new UserInfo(
            url.substring(0, hostStart) + url.substring(at + 1),
            user.isEmpty() ? null : decode(user),
            colon < 0 ? null : decode(info.substring(colon + 1)));
      }
    }
    return null;
  }

  private static boolean noAtBeforeQuery(String url, int from) {
    int query = url.indexOf('?', from);
    int at = url.indexOf('@', from);
    return at < 0 || (query >= 0 && at > query);
  }

  /** Moves {@code user:password@} (before the host) into {@code props}. */
  private static String takeUserInfo(String url, Properties props) {
    UserInfo info = userInfo(url);
    if (info == null) {
      return url;
    }
    if (info.user() != null) {
      props.setProperty("user", info.user());
    }
    if (info.password() != null) {
      props.setProperty("password", info.password());
    }
    return info.url();
  }

  /** Redacts what looks like {@code //user:secret@} in text this source did not clean itself. */
  private static final Pattern USER_INFO = Pattern.compile("//[^/@\\s]*:\\S*@");

  private static final Pattern PASSWORD_PARAMETER =
      Pattern.compile("(?i)([?&;][a-z]*password=)[^&;\\s]*");

  /**
   * {@code text} (a driver's or pool's message) with every secret this source holds, and anything
   * shaped like a URL's {@code user:password@}, replaced by {@code ***}; null stays null.
   */
  String redact(String text) {
    String clean = redact(text, null);
    for (String name : properties.stringPropertyNames()) {
      if (name.toLowerCase(Locale.ROOT).contains("password")) {
        clean = redact(clean, properties.getProperty(name));
      }
    }
    return clean;
  }

  /**
   * {@code text} with {@code password} (when 4 characters or longer; shorter ones would mask
   * ordinary words), {@code password=} parameters and URL {@code user:password@} parts replaced by
   * {@code ***}; null stays null.
   */
  public static String redact(String text, String password) {
    if (text == null) {
      return null;
    }
    String clean =
        PASSWORD_PARAMETER
            .matcher(USER_INFO.matcher(text).replaceAll("//***@"))
            .replaceAll("$1***");
    return password == null || password.length() < 4 ? clean : clean.replace(password, "***");
  }

  /** Moves every query parameter whose name contains "password" into {@code props}. */
  private static String takeSecretParameters(String url, Properties props) {
    int q = url.indexOf('?');
    if (q < 0) {
      return url;
    }
    StringBuilder kept = new StringBuilder();
    for (String param : url.substring(q + 1).split("&", -1)) {
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
      Throwable scrubbed =
          new TxException(t.getClass().getName() + ": " + redact(t.getMessage()), copy);
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
    return dataSource != null
        ? dataSource.getConnection()
        : DriverManager.getConnection(url, properties);
  }

  /**
   * The dialect of the database a DataSource connects to, read from one connection's metadata (a
   * URL's dialect is known from its subprotocol). The connection is opened on a thread of its own
   * and waited for at most {@code timeoutMs}, as the pool bounds its own: a DataSource need not
   * honour a login timeout.
   *
   * @throws TxException if no connection came within the timeout, connecting failed, or the
   *     database is not supported (naming what is)
   */
  Dialect dialect(long timeoutMs) {
    CompletableFuture<Dialect> probe =
        CompletableFuture.supplyAsync(
            () -> {
              try (Connection c = open()) {
                return Dialects.forConnection(c);
              } catch (SQLException e) {
                throw new CompletionException(e);
              }
            },
            task -> Thread.ofPlatform().daemon().name("txguard-dialect-probe").start(task));
    String cannot =
        "cannot connect to " + describe() + " (connectionTimeout " + timeoutMs + " ms): ";
    try {
      return probe.get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new TxException(cannot + "no connection within the timeout", null);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof TxException tx
          ? tx
          : new TxException(cannot + redact(cause.getMessage()), scrub(cause));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TxException(cannot + "interrupted", e);
    }
  }

  /** Where connections come from, for messages: never a secret. */
  String describe() {
    return dataSource != null
        ? "the given DataSource"
        : redact(url) + (user == null ? "" : " as " + user);
  }

  @Override
  public String toString() {
    return describe();
  }
}
