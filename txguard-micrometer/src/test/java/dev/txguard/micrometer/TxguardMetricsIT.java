package dev.txguard.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.Database;
import dev.txguard.PoolExhaustedException;
import dev.txguard.TxHandle;
import dev.txguard.TxOptions;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the meters say after real units on a real PostgreSQL. */
@TxguardTest(queue = false)
class TxguardMetricsIT {
  @Injected static TestDatabase pg;

  private SimpleMeterRegistry registry;
  private TxguardMetrics metrics;

  @BeforeAll
  static void schema() throws Exception {
    pg.execute("create table item (id int primary key)");
  }

  @BeforeEach
  void setUp() throws Exception {
    pg.execute("truncate item");
    registry = new SimpleMeterRegistry();
    metrics = new TxguardMetrics(registry, Tags.of("db", "shop"));
  }

  private Database db(int poolSize, Duration leakThreshold) {
    return Database.builder()
        .url(pg.url())
        .user(pg.user())
        .password(pg.password())
        .poolSize(poolSize)
        .connectionTimeout(Duration.ofMillis(500))
        .leakThreshold(leakThreshold)
        .listener(metrics)
        .build();
  }

  @Test
  void commitsAreTimedPerUnitName() {
    try (Database db = db(2, Duration.ofMinutes(1))) {
      TxOptions named = TxOptions.defaults().name("add-item");
      for (int i = 1; i <= 3; i++) {
        int id = i;
        db.useTx(named, tx -> tx.update("insert into item(id) values (?)", id));
      }
      db.useTx(tx -> tx.update("insert into item(id) values (4)"));
    }
    assertThat(
            registry
                .get("txguard.tx.commit")
                .tags("db", "shop", "name", "add-item")
                .timer()
                .count())
        .isEqualTo(3);
    assertThat(registry.get("txguard.tx.commit").tags("name", "tx").timer().count()).isEqualTo(1);
    assertThat(
            registry
                .get("txguard.tx.commit")
                .tags("name", "add-item")
                .timer()
                .totalTime(java.util.concurrent.TimeUnit.NANOSECONDS))
        .isPositive();
  }

  @Test
  void rollbacksCountTheirCauseAndRetriesTheirSqlState() {
    AtomicInteger runs = new AtomicInteger();
    try (Database db = db(2, Duration.ofMinutes(1))) {
      assertThatThrownBy(
              () ->
                  db.useTx(
                      tx -> {
                        tx.update("insert into item(id) values (1)");
                        throw new IllegalStateException("business rule");
                      }))
          .isInstanceOf(IllegalStateException.class);
      db.useTx(
          tx -> {
            if (runs.incrementAndGet() < 3) {
              tx.update("do $$ begin raise exception 'simulated' using errcode = '40001'; end $$");
            }
          });
    }
    assertThat(
            registry
                .get("txguard.tx.rollback")
                .tags("cause", "IllegalStateException")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(
            registry
                .get("txguard.tx.rollback")
                .tags("cause", "StatementException")
                .counter()
                .count())
        .isEqualTo(2);
    assertThat(
            registry
                .get("txguard.tx.retry")
                .tags("db", "shop", "name", "tx", "sqlstate", "40001")
                .counter()
                .count())
        .isEqualTo(2);
    assertThat(registry.get("txguard.tx.commit").timer().count()).isEqualTo(1);
  }

  @Test
  void leaksHookFailuresAndExhaustedPoolsAreCounted() throws Exception {
    try (Database db = db(1, Duration.ofMillis(200))) {
      try (TxHandle handle = db.begin(TxOptions.defaults().name("forgotten"))) {
        handle.tx().update("insert into item(id) values (1)");
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (registry.find("txguard.tx.leak").counter() == null && System.nanoTime() < end) {
          Thread.sleep(20);
        }
        assertThatThrownBy(() -> db.inNewTx(tx -> 1)).isInstanceOf(PoolExhaustedException.class);
      }
      db.useTx(
          tx ->
              tx.afterCommit(
                  () -> {
                    throw new IllegalStateException("mail server down");
                  }));
    }
    assertThat(
            registry
                .get("txguard.tx.leak")
                .tags("name", "forgotten", "unreachable", "false")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(registry.get("txguard.pool.exhausted").tags("db", "shop").counter().count())
        .isEqualTo(1);
    assertThat(registry.get("txguard.tx.hook.failure").tags("name", "tx").counter().count())
        .isEqualTo(1);
  }

  @Test
  void poolGaugesReadTheDatabaseWhenScraped() throws Exception {
    try (Database db = db(2, Duration.ofMinutes(1))) {
      metrics.bindPools(db);
      db.useTx(
          tx -> {
            assertThat(
                    registry
                        .get("txguard.pool.connections")
                        .tags("state", "active")
                        .gauge()
                        .value())
                .isEqualTo(1);
            db.useNewTx(
                inner ->
                    assertThat(
                            registry
                                .get("txguard.pool.connections")
                                .tags("db", "shop", "state", "active")
                                .gauge()
                                .value())
                        .isEqualTo(2));
          });
      assertThat(registry.get("txguard.pool.connections").tags("state", "active").gauge().value())
          .isZero();
      assertThat(registry.get("txguard.pool.waiting").gauge().value()).isZero();
    }
  }

  @Test
  void badArguments() {
    assertThatThrownBy(() -> new TxguardMetrics(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("registry must not be null");
    assertThatThrownBy(() -> new TxguardMetrics(registry, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tags must not be null");
    assertThatThrownBy(() -> metrics.bindPools(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("db must not be null");
  }
}
