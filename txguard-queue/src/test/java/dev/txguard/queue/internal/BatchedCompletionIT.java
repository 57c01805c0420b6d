package dev.txguard.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.txguard.Database;
import dev.txguard.TxOptions;
import dev.txguard.queue.QueueListener;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Batched completion of plain handlers' attempts ({@link Completions}): completions that arrive
 * while a batch commits go together in the next one, each still matched on its own attempt token.
 * The batches are arranged by hand: the first batch is held until the others queued behind it.
 */
@TxguardTest(queue = false)
class BatchedCompletionIT {
  @Injected static TestDatabase pg;

  static final String SCHEMA = "batched";
  static Database db;
  static ExecutorService threads;
  static AttemptRunner runner;

  @BeforeAll
  static void setUp() {
    db =
        Database.builder()
            .url(pg.url())
            .user(pg.user())
            .password(pg.password())
            .connectionTimeout(Duration.ofSeconds(10))
            .poolSize(4)
            .build();
    new Migrator(db, new Sql(SCHEMA)).migrate();
    threads = Executors.newVirtualThreadPerTaskExecutor();
    QueueConfig config =
        new QueueConfig(
            db,
            SCHEMA,
            null,
            null,
            null,
            new Kinds(List.of()),
            Map.of(),
            20,
            0,
            Duration.ofSeconds(1),
            Duration.ofSeconds(30),
            Duration.ofSeconds(1),
            Duration.ofDays(1),
            Duration.ZERO,
            Duration.ZERO,
            new QueueListener() {},
            TxOptions.defaults(),
            JsonMapper.builder().build(),
            null,
            "me",
            2,
            List.of());
    runner =
        new AttemptRunner(
            config,
            new Sql(SCHEMA),
            new JsonCodec(config.mapper()),
            new Now(null),
            new Events(config.listener()),
            new Waiters());
  }

  @AfterAll
  static void tearDown() {
    threads.shutdownNow();
    db.close();
  }

  @Test
  void aCompletionWhoseTokenNoLongerMatchesReportsALostLeaseForThatJobOnly() throws Exception {
    Attempt first = running();
    Attempt kept = running();
    Attempt stolen = running();
    UUID thief = UUID.randomUUID();
    pg.execute(
        "update " + SCHEMA + ".job set lease_token = '" + thief + "' where id = " + stolen.id);
    List<Integer> sizes = new CopyOnWriteArrayList<>();
    Completions completions = held(sizes);

    List<Future<Completions.Outcome>> outcomes =
        completeBehindAHeldBatch(completions, List.of(first, kept, stolen), List.of("1", "2", "3"));

    assertThat(outcomes.get(0).get(60, TimeUnit.SECONDS)).isEqualTo(Completions.Outcome.COMPLETED);
    assertThat(outcomes.get(1).get(60, TimeUnit.SECONDS)).isEqualTo(Completions.Outcome.COMPLETED);
    assertThat(outcomes.get(2).get(60, TimeUnit.SECONDS)).isEqualTo(Completions.Outcome.LEASE_LOST);
    assertThat(sizes)
        .as("the held batch, then one batch of the two queued behind it")
        .containsExactly(1, 2);
    assertThat(row(kept)).isEqualTo("completed 2 null");
    assertThat(row(stolen)).isEqualTo("running null " + thief);
    endLeftovers();
  }

  @Test
  void aBatchPostgresqlRefusesTellsEveryAttemptInItToCompleteAlone() throws Exception {
    Attempt first = running();
    Attempt good = running();
    Attempt bad = running();
    List<Integer> sizes = new CopyOnWriteArrayList<>();
    Completions completions = held(sizes);

    List<Future<Completions.Outcome>> outcomes =
        completeBehindAHeldBatch(
            completions, List.of(first, good, bad), List.of("1", "2", "not json"));

    assertThat(outcomes.get(0).get(60, TimeUnit.SECONDS)).isEqualTo(Completions.Outcome.COMPLETED);
    assertThat(outcomes.get(1).get(60, TimeUnit.SECONDS)).isEqualTo(Completions.Outcome.ALONE);
    assertThat(outcomes.get(2).get(60, TimeUnit.SECONDS)).isEqualTo(Completions.Outcome.ALONE);
    assertThat(row(good))
        .as("the failed batch rolled back")
        .isEqualTo("running null " + good.token);
    endLeftovers();
  }

  /** The rows no attempt of this test will end (no queue runs here to rescue them). */
  private static void endLeftovers() throws Exception {
    pg.execute("delete from " + SCHEMA + ".job where state = 'running'");
  }

  /** Completions whose first batch waits for {@link #release}; records every batch's size. */
  private Completions held(List<Integer> sizes) {
    AtomicBoolean firstBatch = new AtomicBoolean(true);
    entered = new CountDownLatch(1);
    release = new CountDownLatch(1);
    return new Completions(
        requests -> {
          sizes.add(requests.size());
          if (firstBatch.getAndSet(false)) {
            entered.countDown();
            await(release);
          }
          return runner.completeBatch(requests);
        });
  }

  private CountDownLatch entered;
  private CountDownLatch release;

  private List<Future<Completions.Outcome>> completeBehindAHeldBatch(
      Completions completions, List<Attempt> attempts, List<String> results) throws Exception {
    Future<Completions.Outcome> lead =
        threads.submit(() -> completions.complete(attempts.get(0), results.get(0)));
    assertThat(entered.await(60, TimeUnit.SECONDS)).as("the first batch started").isTrue();
    Future<Completions.Outcome> second =
        threads.submit(() -> completions.complete(attempts.get(1), results.get(1)));
    Future<Completions.Outcome> third =
        threads.submit(() -> completions.complete(attempts.get(2), results.get(2)));
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (completions.queued() < 2) {
      assertThat(System.nanoTime())
          .as("completions queued behind the held batch: " + completions.queued() + " of 2")
          .isLessThan(end);
      Thread.sleep(10);
    }
    release.countDown();
    return List.of(lead, second, third);
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(60, TimeUnit.SECONDS)) {
        throw new AssertionError("the held batch was never released");
      }
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private static Attempt running() throws Exception {
    UUID token = UUID.randomUUID();
    long id =
        pg.queryLong(
            "insert into "
                + SCHEMA
                + ".job (kind, queue, args, state, attempt, max_attempts, run_at,"
                + " created_at, lease_owner, lease_token, lease_expires_at) values ('work', 'default', '{}', 'running', 1,"
                + " 20, now(), now(), 'me', '"
                + token
                + "', now() + interval '1 hour') returning id");
    return new Attempt(
        id, "work", "default", "{}", 1, 20, Instant.now(), token.toString(), null, false, 0);
  }

  private static String row(Attempt a) throws Exception {
    return (String)
        pg.query(
                "select state || ' ' || coalesce(result::text, 'null') || ' '"
                    + " || coalesce(lease_token::text, 'null') from "
                    + SCHEMA
                    + ".job where id = "
                    + a.id)
            .get(0)
            .get(0);
  }
}
