package dev.txguard.dashboard;

import dev.txguard.dashboard.internal.Credentials;
import dev.txguard.dashboard.internal.DashboardApp;
import dev.txguard.dashboard.internal.Settings;
import dev.txguard.queue.QueueAdmin;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * The queue dashboard: a web page (overview with counts, throughput chart, stuck attempts; job
 * lists with filters and paging; a job's arguments, errors and timeline; retry, cancel, cancel a
 * group; schedules; processes and the leader) and its JSON API, over one queue schema's {@link
 * QueueAdmin}. The page refreshes itself every few seconds through the API.
 *
 * <pre>{@code
 * Dashboard dashboard = Dashboard.builder(queue.admin())
 *     .user("ops", passwordFromVault)   // or .token(...); kept only as a PBKDF2 hash
 *     .port(8025)                      // 127.0.0.1 unless bind(...) says otherwise
 *     .build();
 * dashboard.start();                   // or mount(javalinConfig, "/queue") in your own Javalin
 * ...
 * dashboard.close();
 * }</pre>
 *
 * <p>The security model is in the package description: authentication on every route, POST-only
 * actions with a CSRF token and same-origin checks, loopback by default, read-only mode, strict
 * security headers. Thread-safe; a dashboard serves any number of concurrent requests.
 */
public final class Dashboard implements AutoCloseable {
  private final DashboardApp app;
  private final Settings settings;
  private Javalin server;

  private Dashboard(Settings settings) {
    this.settings = settings;
    this.app = new DashboardApp(settings);
  }

  /**
   * A builder over {@code admin}'s schema.
   *
   * @param admin the queue admin whose reads and actions the dashboard serves
   * @return a new builder: loopback, port 8025, no credentials yet
   * @throws IllegalArgumentException if {@code admin} is null
   */
  public static Builder builder(QueueAdmin admin) {
    if (admin == null) {
      throw new IllegalArgumentException("admin must not be null: pass queue.admin()");
    }
    return new Builder(admin);
  }

  /**
   * Starts the dashboard's own server (Jetty through Javalin) on the configured address and port.
   *
   * @return this dashboard, started
   * @throws IllegalStateException if it was started or mounted already, or if the address is not a
   *     loopback one and no credentials were set (the message names the address and the fix)
   * @throws io.javalin.util.JavalinBindException if the port is taken
   */
  public synchronized Dashboard start() {
    if (server != null || app.isMounted()) {
      throw new IllegalStateException("this dashboard was started or mounted already");
    }
    if (!settings.loopback() && settings.credentials().isNone()) {
      throw new IllegalStateException(
          "refusing to serve the dashboard on "
              + settings.bind()
              + " without authentication: set token(...) or user(...), or bind to 127.0.0.1");
    }
    server = app.start();
    return this;
  }

  /**
   * Mounts the dashboard's routes in an application's own Javalin under {@code path} (e.g. {@code
   * "/queue"}; {@code ""} for the root). The application's server decides the address: this
   * dashboard's bind and port are not used, and its Host check is off. Call before the
   * application's Javalin starts.
   *
   * @param config the application's Javalin configuration, before its server starts
   * @param path the prefix of the dashboard's routes
   * @throws IllegalArgumentException if {@code path} is not empty and does not start with "/" or
   *     ends with "/"
   * @throws IllegalStateException if this dashboard was started or mounted already
   */
  public synchronized void mount(JavalinConfig config, String path) {
    if (server != null) {
      throw new IllegalStateException("this dashboard was started already");
    }
    if (path == null || (!path.isEmpty() && (!path.startsWith("/") || path.endsWith("/")))) {
      throw new IllegalArgumentException(
          "path must be empty or start with '/' and not end with '/', was '" + path + "'");
    }
    app.mount(config, path);
  }

  /**
   * The port the started server listens on (the one chosen when {@link Builder#port(int)} was 0).
   *
   * @return the bound port, 1 to 65535
   * @throws IllegalStateException if not started
   */
  public synchronized int port() {
    if (server == null) {
      throw new IllegalStateException("the dashboard is not started");
    }
    return server.port();
  }

  /**
   * The started server's address, e.g. {@code http://127.0.0.1:8025/}.
   *
   * @return the address of the dashboard's page
   * @throws IllegalStateException if not started
   */
  public URI uri() {
    String host = settings.bind().contains(":") ? "[" + settings.bind() + "]" : settings.bind();
    return URI.create("http://" + host + ":" + port() + "/");
  }

  /** Stops the started server, if any (requests in flight are ended). Idempotent. */
  @Override
  public synchronized void close() {
    if (server != null) {
      server.stop();
    }
  }

  /** Configures a {@link Dashboard}. Not thread-safe; {@link #build()} checks the settings. */
  public static final class Builder {
    private final QueueAdmin admin;
    private String bind = "127.0.0.1";
    private int port = 8025;
    private Credentials credentials;
    private boolean readOnly;
    private Duration refresh = Duration.ofSeconds(2);

    private Builder(QueueAdmin admin) {
      this.admin = admin;
    }

    /**
     * The address the server listens on. Default {@code 127.0.0.1}. Any other than a loopback
     * address needs {@link #token(String)} or {@link #user(String, String)}.
     *
     * @param address a host name or IP address (IPv6 without brackets); surrounding blanks are
     *     ignored
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder bind(String address) {
      if (address == null || address.isBlank()) {
        throw new IllegalArgumentException(
            "bind must be an address such as 127.0.0.1, was '" + address + "'");
      }
      this.bind = address.strip();
      return this;
    }

    /**
     * The port. Default 8025; 0 picks a free one ({@link Dashboard#port()} tells which).
     *
     * @param port 0 to 65535
     * @return this builder
     * @throws IllegalArgumentException if not 0 to 65535
     */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Requires a bearer token: {@code Authorization: Bearer <token>}, or HTTP Basic with any user
     * name and the token as password (what a browser prompt sends). Kept only as a PBKDF2 hash;
     * replaces a user set before.
     *
     * @param token at least 16 characters
     * @return this builder
     * @throws IllegalArgumentException if shorter (the message never holds the token)
     */
    public Builder token(String token) {
      this.credentials = Credentials.token(token);
      return this;
    }

    /**
     * Requires HTTP Basic with this user and password. The password is kept only as a PBKDF2 hash;
     * replaces a token set before.
     *
     * @param name no ':' and not blank
     * @param password at least 8 characters
     * @return this builder
     * @throws IllegalArgumentException if either is bad (the message never holds the password)
     */
    public Builder user(String name, String password) {
      this.credentials = Credentials.user(name, password);
      return this;
    }

    /**
     * Serves without authentication: for a dashboard {@link Dashboard#mount mounted} behind the
     * application's own authentication, or a loopback-only server on a single-user machine. {@link
     * Dashboard#start()} still refuses a non-loopback address. CSRF, origin and Host checks stay
     * on.
     *
     * @return this builder
     */
    public Builder withoutAuthentication() {
      this.credentials = Credentials.none();
      return this;
    }

    /**
     * Refuses every action (retry, cancel, cancel group) with 403. Default off.
     *
     * @param readOnly true to refuse every action
     * @return this builder
     */
    public Builder readOnly(boolean readOnly) {
      this.readOnly = readOnly;
      return this;
    }

    /**
     * How often the page refreshes its data. Default 2 s.
     *
     * @param interval 500 ms to 10 minutes
     * @return this builder
     * @throws IllegalArgumentException if null or outside 500 ms to 10 minutes
     */
    public Builder refreshInterval(Duration interval) {
      if (interval == null
          || interval.toMillis() < 500
          || interval.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException(
            "refreshInterval must be between 500 ms and 10 minutes, was " + interval);
      }
      this.refresh = interval;
      return this;
    }

    /**
     * The dashboard, not started.
     *
     * @return a new dashboard; {@link Dashboard#start()} or {@link Dashboard#mount} serves it
     * @throws IllegalStateException if none of {@link #token}, {@link #user} and {@link
     *     #withoutAuthentication()} was called
     * @throws IllegalArgumentException if the bind address cannot be resolved
     */
    public Dashboard build() {
      if (credentials == null) {
        throw new IllegalStateException(
            "the dashboard needs authentication: call token(...) or user(...),"
                + " or withoutAuthentication() when the application in front of it authenticates");
      }
      return new Dashboard(
          new Settings(admin, bind, port, loopback(bind), credentials, readOnly, refresh));
    }

    private static boolean loopback(String bind) {
      try {
        return InetAddress.getByName(bind).isLoopbackAddress();
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException(
            "bind address '" + bind + "' cannot be resolved: " + e.getMessage(), e);
      }
    }
  }
}
