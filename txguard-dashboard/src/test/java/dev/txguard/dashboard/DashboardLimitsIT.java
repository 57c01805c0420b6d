package dev.txguard.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.dashboard.QueueWorld.Ok;
import dev.txguard.queue.JobDetail;
import dev.txguard.test.Injected;
import dev.txguard.test.LogCapture;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the dashboard's API answers to what a break-it review found: huge job texts, odd numbers,
 * missing jobs and odd stored rows, against a real queue over HTTP.
 */
@TxguardTest(queue = false, leakCheck = false)
class DashboardLimitsIT {
  static final String TOKEN = "a-token-of-sixteen-chars";
  @Injected static TestDatabase pg;
  static QueueWorld world;
  static Dashboard dashboard;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void setUp() {
    world = new QueueWorld(pg, "limits");
    dashboard = Dashboard.builder(world.queue.admin()).token(TOKEN).port(0).build().start();
  }

  @AfterAll
  static void tearDown() {
    if (dashboard != null) {
      dashboard.close();
    }
    if (world != null) {
      world.close();
    }
  }

  static HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(dashboard.uri().resolve(path))
            .header("Authorization", "Bearer " + TOKEN)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void hugeArgumentsAndTracesAreCutInTheJobDetail() throws Exception {
    String big = "x".repeat(3_000_000);
    long id = world.park(new Ok(big));
    pg.execute(
        "update "
            + world.schema
            + ".job set errors = jsonb_build_array(jsonb_build_object('attempt', 1, 'at',"
            + " now(), 'error', 'short', 'trace', repeat('t', 200000))) where id = "
            + id);

    HttpResponse<String> r = get("api/jobs/" + id);

    assertThat(r.statusCode())
        .as(r.body().length() > 300 ? r.body().substring(0, 300) : r.body())
        .isEqualTo(200);
    assertThat(r.body().length())
        .as("characters sent for a job with 3,000,000 characters of arguments")
        .isLessThan(2 * 64 * 1024 + 10_000);
    assertThat(r.body())
        .contains("\"argsCut\":true")
        .contains("\"argsLength\":" + (big.length() + "{\"text\": \"\"}".length()))
        .contains("\"errorsCut\":true")
        .contains("\"resultCut\":false")
        .contains("\"limit\":65536")
        .contains("\"error\":\"short\"");
    assertThat(world.queue.admin().detail(id, 10))
        .hasValueSatisfying(
            d -> {
              assertThat(d.job().argsJson()).isEqualTo("{\"text\": \"");
              assertThat(d.job().errors().get(0).trace()).isEqualTo("tttttttttt");
              assertThat(d.longestErrorLength()).isEqualTo(200_000);
            });
  }

  /**
   * Break-it review, session 17: each error was cut to 64 KiB, but every error was sent: a job with
   * 1,000 errors of 70,000 characters made a 131 MB answer (21 s, 1 GB of heap), every refresh.
   * Only the newest 20 errors travel now, with the count.
   */
  @Test
  void aJobWithThousandsOfErrorsSendsOnlyItsNewest() throws Exception {
    long id = world.park(new Ok("retried a thousand times"));
    pg.execute(
        "update "
            + world.schema
            + ".job set errors = (select jsonb_agg(jsonb_build_object('attempt', n, 'at', now(),"
            + " 'error', 'failure ' || n, 'trace', repeat('t', 70000)) order by n)"
            + " from generate_series(1, 1000) n) where id = "
            + id);

    HttpResponse<String> r = get("api/jobs/" + id);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body().length())
        .as("characters sent for 1,000 errors of 70,000 characters")
        .isLessThan(20 * 64 * 1024 + 20_000);
    assertThat(r.body())
        .contains("\"errorCount\":1000")
        .contains("\"errorsLeftOut\":980")
        .contains("\"error\":\"failure 981\"")
        .contains("\"error\":\"failure 1000\"")
        .doesNotContain("\"error\":\"failure 980\"");
    assertThat(world.queue.admin().detail(id, 10))
        .hasValueSatisfying(
            d -> {
              assertThat(d.job().errors()).hasSize(JobDetail.ERRORS_SHOWN);
              assertThat(d.job().errors().getFirst().attempt()).isEqualTo(981);
              assertThat(d.job().errors().getLast().attempt()).isEqualTo(1000);
              assertThat(d.errorCount()).isEqualTo(1000);
              assertThat(d.errorsLeftOut()).isEqualTo(980);
            });
  }

  @Test
  void aFloodOfWrongCredentialsGets429InsteadOfTheCpu() throws Exception {
    assertThat(get("api/overview").statusCode())
        .as("the right token, remembered from now on")
        .isEqualTo(200);
    List<CompletableFuture<HttpResponse<String>>> flood = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      flood.add(
          http.sendAsync(
              HttpRequest.newBuilder(dashboard.uri().resolve("api/overview"))
                  .header("Authorization", "Bearer wrong-token-number-" + i)
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    HttpResponse<String> during = get("api/overview");
    Map<Integer, Long> statuses = new TreeMap<>();
    for (CompletableFuture<HttpResponse<String>> f : flood) {
      HttpResponse<String> r = f.get(120, TimeUnit.SECONDS);
      statuses.merge(r.statusCode(), 1L, Long::sum);
      if (r.statusCode() == 429) {
        assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(r.body()).contains("too many credential checks at once");
      }
    }
    assertThat(statuses.keySet())
        .as("statuses of 40 parallel wrong tokens: %s", statuses)
        .containsOnly(401, 429);
    assertThat(statuses.get(429))
        .as("statuses of 40 parallel wrong tokens: %s", statuses)
        .isNotNull();
    assertThat(during.statusCode()).as("the remembered token during the flood").isEqualTo(200);
  }

  @Test
  void aServerBoundToAnotherLoopbackAddressAnswersToThatAddress() throws Exception {
    for (String bind : List.of("127.0.0.2", "127.1", "::ffff:127.0.0.1")) {
      try (Dashboard own =
          Dashboard.builder(world.queue.admin()).token(TOKEN).bind(bind).port(0).build().start()) {
        String connect = InetAddress.getByName(bind).getHostAddress();
        String host = own.uri().getRawAuthority();
        assertThat(rawGet(connect, own.port(), host))
            .as("bound to %s, Host %s", bind, host)
            .startsWith("HTTP/1.1 200");
        assertThat(rawGet(connect, own.port(), "127.0.0.9:" + own.port()))
            .as("bound to %s", bind)
            .startsWith("HTTP/1.1 200");
        assertThat(rawGet(connect, own.port(), "evil.example:" + own.port()))
            .as("bound to %s", bind)
            .startsWith("HTTP/1.1 421");
        assertThat(rawGet(connect, own.port(), "127.0.0.1.evil.example:" + own.port()))
            .as("bound to %s", bind)
            .startsWith("HTTP/1.1 421");
      }
    }
  }

  @Test
  void aLimitBeyondAnIntIsRefusedWithTheNumberAsGiven() throws Exception {
    for (String limit : List.of("4294967297", "2147483648", "1001", "0")) {
      HttpResponse<String> r = get("api/jobs?limit=" + limit);
      assertThat(r.statusCode()).as("limit=%s: %s", limit, r.body()).isEqualTo(400);
      assertThat(r.body()).contains("limit must be between 1 and 1000, was " + limit);
    }
    assertThat(get("api/jobs?limit=99999999999999999999").body())
        .contains("limit must be a whole number");
    assertThat(get("api/jobs?limit=1000").statusCode()).isEqualTo(200);
  }

  @Test
  void retryOrCancelOfAMissingJobIs404NamingTheId() throws Exception {
    HttpResponse<String> session = get("api/session");
    Matcher m = Pattern.compile("\"csrf\":\"([^\"]+)\"").matcher(session.body());
    assertThat(m.find()).as("csrf in %s", session.body()).isTrue();
    for (String action : List.of("retry", "cancel")) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(dashboard.uri().resolve("api/jobs/987654321/" + action))
                  .header("Authorization", "Bearer " + TOKEN)
                  .header("X-CSRF-Token", m.group(1))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as("%s of a missing job: %s", action, r.body()).isEqualTo(404);
      assertThat(r.body()).isEqualTo("{\"error\":\"no job 987654321\"}");
    }
  }

  @Test
  void aRetryOrCancelThatChangesNothingIsAuditedAsNothingChanged() throws Exception {
    long id = world.park(new Ok("waiting, not failed"));
    HttpResponse<String> session = get("api/session");
    Matcher m = Pattern.compile("\"csrf\":\"([^\"]+)\"").matcher(session.body());
    assertThat(m.find()).as("csrf in %s", session.body()).isTrue();

    LogCapture log = LogCapture.start();
    HttpResponse<String> retry = post("api/jobs/" + id + "/retry", m.group(1));
    String audit = log.stop();

    assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
    assertThat(retry.body())
        .contains("\"changed\":false")
        .contains(
            "\"outcome\":\"not retried: available (only failed or discarded jobs are retried)\"");
    assertThat(audit)
        .as("the audit line of a retry of an available job")
        .contains("asked to retry (nothing changed) job " + id)
        .doesNotContain("retried job " + id);
    assertThat(world.state(id)).isEqualTo("available");

    long cancelled = world.park(new Ok("to cancel twice"));
    assertThat(post("api/jobs/" + cancelled + "/cancel", m.group(1)).statusCode()).isEqualTo(200);
    log = LogCapture.start();
    HttpResponse<String> again = post("api/jobs/" + cancelled + "/cancel", m.group(1));
    audit = log.stop();
    assertThat(again.body())
        .contains("\"changed\":false")
        .contains("\"outcome\":\"not cancelled: already cancelled\"");
    assertThat(audit).contains("asked to cancel (nothing changed) job " + cancelled);
  }

  static HttpResponse<String> post(String path, String csrf) throws Exception {
    return http.send(
        HttpRequest.newBuilder(dashboard.uri().resolve(path))
            .header("Authorization", "Bearer " + TOKEN)
            .header("X-CSRF-Token", csrf)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anErrorEntryWithoutAttemptOrTimeReadsAsAbsentNot500() throws Exception {
    long id = world.park(new Ok("odd errors"));
    pg.execute(
        "update "
            + world.schema
            + ".job set errors = '[{\"error\": \"written by hand\"}, {}]'::jsonb where id = "
            + id);

    HttpResponse<String> r = get("api/jobs/" + id);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body())
        .contains("{\"attempt\":0,\"at\":null,\"error\":\"written by hand\",\"trace\":\"\"}")
        .contains("{\"attempt\":0,\"at\":null,\"error\":\"\",\"trace\":\"\"}");
    assertThat(world.queue.find(id)).hasValueSatisfying(j -> assertThat(j.errors()).hasSize(2));
  }

  /** A GET of /api/overview from {@code address} with a Host header of our choosing. */
  private static String rawGet(String address, int port, String host) throws IOException {
    try (Socket s = new Socket(address, port)) {
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET /api/overview HTTP/1.1\r\nHost: "
                  + host
                  + "\r\nAuthorization: Bearer "
                  + TOKEN
                  + "\r\n"
                  + "Connection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
