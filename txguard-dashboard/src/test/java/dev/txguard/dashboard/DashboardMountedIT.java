package dev.txguard.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.dashboard.QueueWorld.Ok;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard mounted in a host application's Javalin under {@code /ops/queue}: its checks run
 * whatever the host's router settings (context path, case-insensitive routes, repeated slashes),
 * and the host's own routes and their exceptions are left to the host.
 */
@TxguardTest(queue = false, leakCheck = false)
class DashboardMountedIT {
  @Injected static TestDatabase pg;
  static QueueWorld world;
  static final String AUTH =
      "Basic "
          + Base64.getEncoder().encodeToString("ops:s3cret-pass".getBytes(StandardCharsets.UTF_8));
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void setUp() {
    world = new QueueWorld(pg, "mounted");
  }

  @AfterAll
  static void tearDown() {
    if (world != null) {
      world.close();
    }
  }

  /**
   * A host app with {@code router} settings, the dashboard under /ops/queue, and a host route of
   * its own.
   */
  static Javalin host(Consumer<JavalinConfig> router) {
    Dashboard dashboard = Dashboard.builder(world.queue.admin()).user("ops", "s3cret-pass").build();
    return Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              router.accept(config);
              dashboard.mount(config, "/ops/queue");
              config.routes.get(
                  "/host/fail",
                  ctx -> {
                    throw new IllegalArgumentException("host secret detail");
                  });
              config.routes.exception(
                  IllegalStateException.class,
                  (e, ctx) -> ctx.status(418).result("host's own: " + e.getMessage()));
              config.routes.get(
                  "/host/state",
                  ctx -> {
                    throw new IllegalStateException("host state");
                  });
            })
        .start("127.0.0.1", 0);
  }

  static HttpResponse<String> send(String method, String url, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody());
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theGuardRunsUnderTheDefaultRouter() throws Exception {
    checkGuarded(c -> {}, "", "/ops/queue");
  }

  @Test
  void theGuardRunsUnderAContextPath() throws Exception {
    checkGuarded(c -> c.router.contextPath = "/app", "/app", "/ops/queue");
  }

  @Test
  void theGuardRunsWithCaseInsensitiveRoutes() throws Exception {
    checkGuarded(c -> c.router.caseInsensitiveRoutes = true, "", "/OPS/Queue");
  }

  @Test
  void theGuardRunsWhenMultipleSlashesCountAsOne() throws Exception {
    checkGuarded(c -> c.router.treatMultipleSlashesAsSingleSlash = true, "", "//ops//queue");
  }

  @Test
  void theHostsOwnRoutesKeepTheirExceptions() throws Exception {
    Javalin app = host(c -> {});
    try {
      String origin = "http://127.0.0.1:" + app.port();
      HttpResponse<String> fail = send("GET", origin + "/host/fail", Map.of());
      assertThat(fail.statusCode())
          .as("host route throwing IllegalArgumentException: %s", fail.body())
          .isEqualTo(500);
      assertThat(fail.body()).doesNotContain("host secret detail").doesNotContain("dashboard");
      HttpResponse<String> state = send("GET", origin + "/host/state", Map.of());
      assertThat(state.statusCode())
          .as("host route with the host's own handler: %s", state.body())
          .isEqualTo(418);
      assertThat(state.body()).isEqualTo("host's own: host state");
      // the dashboard's own routes still answer bad input with 400 and its message
      HttpResponse<String> bad =
          send("GET", origin + "/ops/queue/api/jobs?state=nonsense", Map.of("Authorization", AUTH));
      assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
      assertThat(bad.body()).contains("state must be one of");
    } finally {
      app.stop();
    }
  }

  private static void checkGuarded(Consumer<JavalinConfig> router, String contextPath, String mount)
      throws Exception {
    Javalin app = host(router);
    try {
      String origin = "http://127.0.0.1:" + app.port();
      String base = origin + contextPath + mount;
      for (String path :
          new String[] {
            "/api/jobs", "/api/session", "/", "/assets/app.js", "/api/jobs/1", "/no/such/route"
          }) {
        HttpResponse<String> r = send("GET", base + path, Map.of());
        assertThat(r.statusCode())
            .as("GET %s without credentials: %s", base + path, r.body())
            .isEqualTo(401);
        assertThat(r.headers().firstValue("X-Frame-Options"))
            .as("headers of GET %s", base + path)
            .hasValue("DENY");
        assertThat(r.headers().firstValue("Content-Security-Policy")).as(path).isPresent();
      }
      long id = world.park(new Ok("keep me " + mount));
      for (String action : new String[] {"cancel", "retry"}) {
        HttpResponse<String> anon = send("POST", base + "/api/jobs/" + id + "/" + action, Map.of());
        assertThat(anon.statusCode()).as("anonymous %s: %s", action, anon.body()).isEqualTo(401);
      }
      HttpResponse<String> session =
          send("GET", base + "/api/session", Map.of("Authorization", AUTH));
      assertThat(session.statusCode()).as(session.body()).isEqualTo(200);
      Matcher m = Pattern.compile("\"csrf\":\"([^\"]+)\"").matcher(session.body());
      assertThat(m.find()).as("csrf in %s", session.body()).isTrue();
      HttpResponse<String> cross =
          send(
              "POST",
              base + "/api/jobs/" + id + "/cancel",
              Map.of(
                  "Authorization",
                  AUTH,
                  "X-CSRF-Token",
                  m.group(1),
                  "Origin",
                  "http://evil.example"));
      assertThat(cross.statusCode()).as("cross-origin cancel: %s", cross.body()).isEqualTo(403);
      HttpResponse<String> noToken =
          send("POST", base + "/api/jobs/" + id + "/cancel", Map.of("Authorization", AUTH));
      assertThat(noToken.statusCode())
          .as("cancel without CSRF token: %s", noToken.body())
          .isEqualTo(403);
      assertThat(world.state(id)).as("job %s after refused cancels", id).isEqualTo("available");
      HttpResponse<String> ok =
          send(
              "POST",
              base + "/api/jobs/" + id + "/cancel",
              Map.of("Authorization", AUTH, "X-CSRF-Token", m.group(1), "Origin", origin));
      assertThat(ok.statusCode()).as("same-origin cancel: %s", ok.body()).isEqualTo(200);
      assertThat(world.state(id)).isEqualTo("cancelled");
    } finally {
      app.stop();
    }
  }
}
