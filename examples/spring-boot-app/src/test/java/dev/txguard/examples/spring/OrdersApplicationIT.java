package dev.txguard.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts the application as its README does and drives it over HTTP. */
@TxguardTest(queue = false)
class OrdersApplicationIT {
  @Injected static TestDatabase tdb;

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aRequestEnqueuesAJobWhichRuns() throws Exception {
    try (ConfigurableApplicationContext ctx =
        OrdersApplication.run(
            "--server.port=0",
            "--txguard.url=" + tdb.url(),
            "--txguard.username=" + tdb.user(),
            "--txguard.password=" + tdb.password(),
            "--txguard.queue.poll-interval=200ms",
            "--txguard.example.report-every=1s")) {
      String base =
          "http://127.0.0.1:" + ((WebServerApplicationContext) ctx).getWebServer().getPort();
      HttpResponse<String> placed =
          send(
              HttpRequest.newBuilder(URI.create(base + "/orders?sku=A-1&qty=2"))
                  .POST(HttpRequest.BodyPublishers.noBody()));
      assertThat(placed.statusCode()).as(placed.body()).isEqualTo(201);
      Matcher id = Pattern.compile("\"id\":(\\d+)").matcher(placed.body());
      assertThat(id.find()).as(placed.body()).isTrue();

      // the confirmation job runs after the request's transaction committed
      String order = "";
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!order.contains("\"status\":\"confirmed\"") && System.nanoTime() < deadline) {
        Thread.sleep(100);
        order = send(HttpRequest.newBuilder(URI.create(base + "/orders/" + id.group(1)))).body();
      }
      assertThat(order)
          .as("order after waiting up to 30 s for its job")
          .contains("\"status\":\"confirmed\"");
      assertThat(tdb.queryLong("select qty from stock where sku = 'A-1'")).isEqualTo(98);

      // out of stock: 409, nothing written but the REQUIRES_NEW audit line
      HttpResponse<String> refused =
          send(
              HttpRequest.newBuilder(URI.create(base + "/orders?sku=B-2&qty=6"))
                  .POST(HttpRequest.BodyPublishers.noBody()));
      assertThat(refused.statusCode()).isEqualTo(409);
      assertThat(tdb.queryLong("select count(*) from orders")).isEqualTo(1);
      assertThat(tdb.queryLong("select count(*) from audit")).isEqualTo(2);

      // a negative quantity is a bad request, and nothing is written
      HttpResponse<String> negative =
          send(
              HttpRequest.newBuilder(URI.create(base + "/orders?sku=A-1&qty=-1"))
                  .POST(HttpRequest.BodyPublishers.noBody()));
      assertThat(negative.statusCode()).isEqualTo(400);
      assertThat(negative.body()).contains("qty must be between 1 and 1000, was -1");
      assertThat(tdb.queryLong("select count(*) from orders")).isEqualTo(1);

      // the periodic job (every second here) ran at least once
      long reports = 0;
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (reports == 0 && System.nanoTime() < deadline) {
        Thread.sleep(100);
        reports =
            tdb.queryLong(
                "select count(*) from txguard_queue.job where kind = 'stock-report'"
                    + " and state = 'completed'");
      }
      assertThat(reports).as("completed stock reports after waiting up to 30 s").isPositive();

      HttpResponse<String> health =
          send(HttpRequest.newBuilder(URI.create(base + "/actuator/health/txguard")));
      assertThat(health.body())
          .contains("\"status\":\"UP\"")
          .contains("\"pools\"")
          .contains("\"default\"");
    }
  }
}
