package dev.txguard.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.queue.JobQueue;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Handlers declared as beans run jobs; the health endpoint reports pools and queue; the context
 * shuts down with no job left running. Each test starts and closes its own context.
 */
@TxguardTest(queue = false)
class QueueIT {
  @Injected static TestDatabase tdb;

  @BeforeAll
  static void schema() throws Exception {
    tdb.execute(QueueApp.SCHEMA);
  }

  private static ConfigurableApplicationContext start(String... extra) {
    return new SpringApplicationBuilder(QueueApp.class)
        .properties(
            "txguard.url=" + tdb.url(),
            "txguard.username=" + tdb.user(),
            "txguard.password=" + tdb.password(),
            "server.port=0",
            "management.endpoints.web.exposure.include=health",
            "management.endpoint.health.show-details=always",
            "txguard.queue.poll-interval=200ms")
        .properties(extra)
        .run();
  }

  private static long count(String sql) throws Exception {
    return tdb.queryLong(sql);
  }

  private static void awaitCount(String sql, long expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    long seen = count(sql);
    while (seen != expected && System.nanoTime() < deadline) {
      Thread.sleep(50);
      seen = count(sql);
    }
    assertThat(seen).as("after waiting up to 30 s: " + sql).isEqualTo(expected);
  }

  @Test
  void handlersDeclaredAsBeansRunJobs() throws Exception {
    try (ConfigurableApplicationContext ctx = start()) {
      JobQueue queue = ctx.getBean(JobQueue.class);
      queue.enqueue(new QueueApp.Greet("ada"));
      queue.enqueue(new QueueApp.Greet("grace"));
      awaitCount("select count(*) from greeting", 2);
      awaitCount("select count(*) from txguard_queue.job where state = 'completed'", 2);
      // txguard-micrometer is wired: the jobs' units were timed, the pools are gauged
      MeterRegistry meters = ctx.getBean(MeterRegistry.class);
      assertThat(meters.find("txguard.tx.commit").timers()).isNotEmpty();
      assertThat(meters.find("txguard.pool.connections").tag("state", "idle").gauge()).isNotNull();
    }
  }

  @Test
  void theHealthEndpointReportsThePoolsAndTheQueue() throws Exception {
    try (ConfigurableApplicationContext ctx = start()) {
      int port = ((WebServerApplicationContext) ctx).getWebServer().getPort();
      JobQueue queue = ctx.getBean(JobQueue.class);
      // wait for leadership, so the report can say it
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!queue.isLeader() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + port + "/actuator/health/txguard"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.body())
          .contains("\"status\":\"UP\"")
          .contains("\"pools\":[{\"level\":0,\"size\":10,")
          .contains("\"waiting\":0")
          .contains("\"queue\":{\"schema\":\"txguard_queue\",\"leader\":true")
          .contains("\"lagSeconds\":");
    }
  }

  @Test
  void theContextShutsDownWithNoJobLeftRunning() throws Exception {
    QueueApp.SlowHandler.started = new CountDownLatch(1);
    int finishedBefore = QueueApp.SlowHandler.FINISHED.get();
    ConfigurableApplicationContext ctx = start();
    try {
      ctx.getBean(JobQueue.class).enqueue(new QueueApp.Slow(1500));
      assertThat(QueueApp.SlowHandler.started.await(30, TimeUnit.SECONDS))
          .as("the slow job started within 30 s")
          .isTrue();
    } finally {
      ctx.close();
    }
    assertThat(QueueApp.SlowHandler.RUNNING.get()).as("handlers running after close").isZero();
    assertThat(QueueApp.SlowHandler.FINISHED.get())
        .as("the running job was let finish")
        .isEqualTo(finishedBefore + 1);
    assertThat(count("select count(*) from txguard_queue.job where state = 'running'")).isZero();
    assertThat(
            count(
                "select count(*) from txguard_queue.job where kind = 'slow' and state = 'completed'"))
        .isEqualTo(1);
  }

  @Test
  void aJobPastTheShutdownTimeoutIsGivenBackAndInterrupted() throws Exception {
    QueueApp.SlowHandler.started = new CountDownLatch(1);
    ConfigurableApplicationContext ctx = start("txguard.queue.shutdown-timeout=0s");
    long id;
    try {
      id = ctx.getBean(JobQueue.class).enqueue(new QueueApp.Slow(600_000)).id();
      assertThat(QueueApp.SlowHandler.started.await(30, TimeUnit.SECONDS))
          .as("the slow job started within 30 s")
          .isTrue();
    } finally {
      ctx.close();
    }
    assertThat(count("select count(*) from txguard_queue.job where state = 'running'")).isZero();
    assertThat(
            count(
                "select count(*) from txguard_queue.job where id = "
                    + id
                    + " and state = 'available'"))
        .as("its lease was given back: another process may claim it")
        .isEqualTo(1);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (QueueApp.SlowHandler.RUNNING.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(QueueApp.SlowHandler.RUNNING.get())
        .as("handlers still running 30 s after close (interrupted)")
        .isZero();
  }
}
