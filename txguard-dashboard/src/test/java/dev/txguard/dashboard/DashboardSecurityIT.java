package dev.txguard.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.dashboard.QueueWorld.Ok;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.javalin.router.ParsedEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The security model over HTTP against a real queue: every route the server has answers 401 to an
 * anonymous request; actions without the CSRF token, from another origin or in read-only mode are
 * refused and change nothing in the database; loopback is the default and the only address served
 * without authentication; the security headers are on every response.
 */
@TxguardTest(queue = false, leakCheck = false)
class DashboardSecurityIT {
  @Injected static TestDatabase pg;
  static QueueWorld world;
  static Dashboard dashboard;
  static Javalin app;
  static String base;
  static final String AUTH =
      "Basic "
          + Base64.getEncoder().encodeToString("ops:s3cret-pass".getBytes(StandardCharsets.UTF_8));
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void setUp() {
    world = new QueueWorld(pg, "security");
    dashboard = Dashboard.builder(world.queue.admin()).user("ops", "s3cret-pass").build();
    // mounted in a Javalin of the test's own, so that the test can ask that server for its routes
    app =
        Javalin.create(
                config -> {
                  config.startup.showJavalinBanner = false;
                  dashboard.mount(config, "");
                })
            .start("127.0.0.1", 0);
    base = "http://127.0.0.1:" + app.port();
  }

  @AfterAll
  static void tearDown() {
    if (app != null) {
      app.stop();
    }
    if (world != null) {
      world.close();
    }
  }

  static HttpResponse<String> send(String method, String path, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String csrf() throws Exception {
    HttpResponse<String> r = send("GET", "/api/session", Map.of("Authorization", AUTH));
    Matcher m = Pattern.compile("\"csrf\":\"([^\"]+)\"").matcher(r.body());
    assertThat(m.find()).as("csrf in %s", r.body()).isTrue();
    return m.group(1);
  }

  @Test
  void everyRouteOfTheServerAnswers401WithoutCredentials() throws Exception {
    List<ParsedEndpoint> endpoints =
        app.unsafe.internalRouter.allHttpHandlers().stream()
            .filter(e -> e.endpoint.method.isHttpMethod())
            .toList();
    assertThat(endpoints).as("the server's routes").hasSizeGreaterThanOrEqualTo(10);
    assertThat(endpoints).anyMatch(e -> e.endpoint.method.equals(HandlerType.POST));
    for (ParsedEndpoint e : endpoints) {
      String path = e.endpoint.path.replace("{id}", "1").replace("{name}", "app.js");
      for (Map<String, String> headers :
          List.of(
              Map.<String, String>of(),
              Map.of(
                  "Authorization",
                  "Basic "
                      + Base64.getEncoder()
                          .encodeToString("ops:wrong-pass".getBytes(StandardCharsets.UTF_8))),
              Map.of("Authorization", "Bearer s3cret-pass"))) {
        HttpResponse<String> r = send(e.endpoint.method.name(), path, headers);
        assertThat(r.statusCode())
            .as("%s %s with %s", e.endpoint.method.name(), path, headers.keySet())
            .isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate"))
            .hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
        assertThat(r.body()).doesNotContain("security");
      }
    }
    assertThat(send("GET", "/no/such/route", Map.of()).statusCode()).isEqualTo(401);
    assertThat(send("GET", "/api/overview", Map.of("Authorization", AUTH)).statusCode())
        .isEqualTo(200);
    assertThat(send("GET", "/no/such/route", Map.of("Authorization", AUTH)).statusCode())
        .isEqualTo(404);
  }

  @Test
  void actionsWithoutTheCsrfTokenOrFromAnotherOriginAreRefusedAndChangeNothing() throws Exception {
    long id = world.park(new Ok("keep me"));
    String token = csrf();
    List<Map<String, String>> refused =
        List.of(
            Map.of("Authorization", AUTH),
            Map.of("Authorization", AUTH, "X-CSRF-Token", "forged"),
            Map.of("Authorization", AUTH, "X-CSRF-Token", token, "Origin", "http://evil.example"),
            Map.of("Authorization", AUTH, "X-CSRF-Token", token, "Sec-Fetch-Site", "cross-site"),
            Map.of("Authorization", AUTH, "X-CSRF-Token", token, "Origin", "null"));
    for (Map<String, String> headers : refused) {
      HttpResponse<String> r = send("POST", "/api/jobs/" + id + "/cancel", headers);
      assertThat(r.statusCode()).as("cancel with %s: %s", headers, r.body()).isEqualTo(403);
      assertThat(world.state(id))
          .as("after a refused cancel with %s", headers)
          .isEqualTo("available");
    }
    HttpResponse<String> asGet =
        send(
            "GET",
            "/api/jobs/" + id + "/cancel",
            Map.of("Authorization", AUTH, "X-CSRF-Token", token));
    assertThat(asGet.statusCode()).isIn(404, 405);
    assertThat(world.state(id)).isEqualTo("available");

    HttpResponse<String> ok =
        send(
            "POST",
            "/api/jobs/" + id + "/cancel",
            Map.of(
                "Authorization",
                AUTH,
                "X-CSRF-Token",
                token,
                "Origin",
                base,
                "Sec-Fetch-Site",
                "same-origin"));
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(world.state(id)).isEqualTo("cancelled");
  }

  @Test
  void cancelGroupCancelsTheGroupsJobsAndSaysWhatItDid() throws Exception {
    long a =
        world
            .queue
            .enqueue(
                new Ok("g1"),
                dev.txguard.queue.EnqueueOptions.defaults().queue("parked").group("batch-7"))
            .id();
    long b =
        world
            .queue
            .enqueue(
                new Ok("g2"),
                dev.txguard.queue.EnqueueOptions.defaults().queue("parked").group("batch-7"))
            .id();
    long other = world.park(new Ok("not in the group"));

    HttpResponse<String> r =
        send(
            "POST",
            "/api/groups/cancel?group=batch-7&waitSeconds=1",
            Map.of("Authorization", AUTH, "X-CSRF-Token", csrf()));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).contains("\"cancelled\":2").contains("\"stillRunning\":0");
    assertThat(world.state(a)).isEqualTo("cancelled");
    assertThat(world.state(b)).isEqualTo("cancelled");
    assertThat(world.state(other)).isEqualTo("available");
    HttpResponse<String> bad =
        send(
            "POST",
            "/api/groups/cancel?group=batch-7&waitSeconds=600",
            Map.of("Authorization", AUTH, "X-CSRF-Token", csrf()));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("waitSeconds must be between 0 and 60, was 600");
  }

  @Test
  void aReadOnlyDashboardRefusesActions() throws Exception {
    long id = world.park(new Ok("read-only"));
    try (Dashboard ro =
        Dashboard.builder(world.queue.admin())
            .token("a-token-of-sixteen-chars")
            .readOnly(true)
            .port(0)
            .build()
            .start()) {
      String bearer = "Bearer a-token-of-sixteen-chars";
      HttpResponse<String> session =
          http.send(
              HttpRequest.newBuilder(ro.uri().resolve("api/session"))
                  .header("Authorization", bearer)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(session.body()).contains("\"readOnly\":true");
      Matcher m = Pattern.compile("\"csrf\":\"([^\"]+)\"").matcher(session.body());
      assertThat(m.find()).isTrue();
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(ro.uri().resolve("api/jobs/" + id + "/cancel"))
                  .header("Authorization", bearer)
                  .header("X-CSRF-Token", m.group(1))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(r.body()).contains("read-only");
    }
    assertThat(world.state(id)).isEqualTo("available");
  }

  @Test
  void aNonLoopbackBindWithoutAuthenticationIsRefused() {
    assertThatThrownBy(
            () ->
                Dashboard.builder(world.queue.admin())
                    .bind("0.0.0.0")
                    .withoutAuthentication()
                    .build()
                    .start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "refusing to serve the dashboard on 0.0.0.0 without authentication: set token(...) or user(...),"
                + " or bind to 127.0.0.1");
    assertThatThrownBy(() -> Dashboard.builder(world.queue.admin()).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("needs authentication");
    assertThatThrownBy(() -> Dashboard.builder(world.queue.admin()).token("short"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("token must be at least 16 characters long, was 5 characters");
    // loopback without authentication is allowed when asked for explicitly
    try (Dashboard open =
        Dashboard.builder(world.queue.admin()).withoutAuthentication().port(0).build().start()) {
      assertThat(open.uri().getHost()).isEqualTo("127.0.0.1");
    }
  }

  @Test
  void securityHeadersAreOnEveryResponse() throws Exception {
    for (String path : List.of("/", "/assets/app.js", "/api/overview", "/nothing-here")) {
      for (Map<String, String> headers :
          List.of(Map.<String, String>of(), Map.of("Authorization", AUTH))) {
        HttpResponse<String> r = send("GET", path, headers);
        assertThat(r.headers().firstValue("Content-Security-Policy"))
            .as(path)
            .hasValueSatisfying(
                csp ->
                    assertThat(csp)
                        .contains("script-src 'self'")
                        .contains("frame-ancestors 'none'")
                        .doesNotContain("unsafe-inline"));
        assertThat(r.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(r.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
      }
    }
    String page = send("GET", "/", Map.of("Authorization", AUTH)).body();
    assertThat(page)
        .doesNotContainPattern("<script(?![^>]*\\ssrc=)")
        .doesNotContain("style=")
        .doesNotContain("http");
  }

  @Test
  void aLoopbackServerAnswersOnlyToLoopbackHostNames() throws Exception {
    try (Dashboard own =
        Dashboard.builder(world.queue.admin())
            .token("a-token-of-sixteen-chars")
            .port(0)
            .build()
            .start()) {
      String refused = rawGet(own.port(), "evil.example:" + own.port());
      assertThat(refused).startsWith("HTTP/1.1 421");
      // newcomer review: the bound address was listed again, "(127.0.0.1, localhost, 127.0.0.1)"
      assertThat(refused)
          .endsWith(
              "\r\n\r\nthis dashboard answers only to a loopback host name (127.0.0.1, localhost,"
                  + " [::1])\n");
      assertThat(rawGet(own.port(), "localhost:" + own.port())).startsWith("HTTP/1.1 200");
    }
  }

  /** A GET of /api/overview with a Host header of our choosing (HttpClient may not set Host). */
  private static String rawGet(int port, String host) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET /api/overview HTTP/1.1\r\nHost: "
                  + host
                  + "\r\nAuthorization: Bearer a-token-of-sixteen-chars\r\n"
                  + "Connection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
