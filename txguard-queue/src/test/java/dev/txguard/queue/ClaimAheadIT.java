package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.awaitProgress;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The claim-ahead is bounded by the handlers' measured duration ({@link
 * JobQueue.Builder#prefetch}): a fetcher holds ahead of its slots at most what they finish in about
 * 10 ms. Slow handlers keep it near zero once one of them has finished (a job then waits in no
 * process's buffer while another process could run it); short ones keep the whole prefetch (claims
 * of many jobs at a time).
 *
 * <p>Claim sizes are read from the table: every job one claim took has the claim transaction's
 * {@code now()} as its {@code attempted_at} (claim.sql), so grouping the jobs by it lists the
 * claims in order. Each job runs once here, so no later attempt overwrites it.
 */
@TxguardTest(queue = false)
class ClaimAheadIT {
  @Injected static TestDatabase pg;

  record Nap(int n) {}

  record Noop(int n) {}

  /**
   * Before: with a prefetch of 20 and handlers of 100 ms, every claim after the first refilled the
   * prefetch as soon as half of it was free (claims of 10 jobs), so up to 22 jobs waited in this
   * process for 2 slots, a second and more, while any other process could have run them.
   */
  @Test
  void slowHandlersClaimNoMoreThanTheirSlotsOnceOneFinished() throws Exception {
    int jobs = 40;
    List<Long> claims =
        claimSizes(
            "claim_ahead_slow",
            jobs,
            20,
            22,
            builder ->
                builder.handle(
                    "nap",
                    Nap.class,
                    job -> {
                      Thread.sleep(100); // an input: the handlers' duration, not an assertion
                      return null;
                    }),
            Nap::new);
    assertThat(claims.get(0))
        .as("the first claim (no handler finished yet: the whole prefetch), of %s", claims)
        .isBetween(1L, 22L);
    assertThat(claims.subList(1, claims.size()))
        .as(
            "claims after the first, of %s: handlers of 100 ms finish nothing in 10 ms, so no job"
                + " is claimed ahead of the 2 slots",
            claims)
        .allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(2L));
  }

  @Test
  void shortHandlersKeepTheirClaimAhead() throws Exception {
    List<Long> claims =
        claimSizes(
            "claim_ahead_fast",
            2000,
            50,
            50,
            builder -> builder.handle("noop", Noop.class, job -> null),
            Noop::new);
    List<Long> later = new ArrayList<>(claims.subList(1, claims.size()));
    assertThat(later).as("claims after the first, of %s", claims).isNotEmpty();
    Collections.sort(later);
    assertThat(later.get(later.size() / 2))
        .as(
            "the median claim after the first (of %s): no-op handlers finish many jobs in 10 ms,"
                + " so claims take more than the 2 slots",
            claims)
        .isGreaterThan(2L);
  }

  /**
   * Runs {@code jobs} jobs made by {@code args} on a queue in {@code schema} of concurrency 2 with
   * the given prefetch and fetch batch size (the handler added by {@code handler}), waits until all
   * completed, and returns the sizes of its claims in claim order.
   */
  private static List<Long> claimSizes(
      String schema,
      int jobs,
      int prefetch,
      int fetchBatchSize,
      UnaryOperator<JobQueue.Builder> handler,
      IntFunction<Object> args)
      throws Exception {
    try (Database db = QueueFixture.db(pg, 4)) {
      JobQueue q =
          handler
              .apply(QueueFixture.builder(pg, db, schema))
              .queue("default", 2)
              .prefetch(prefetch)
              .fetchBatchSize(fetchBatchSize)
              .build();
      q.migrate();
      // every job is there before the first claim, so that it takes the whole capacity
      q.enqueueAll(IntStream.range(0, jobs).mapToObj(args).toList(), EnqueueOptions.defaults());
      q.start();
      try {
        awaitProgress("jobs completed", () -> count(db, schema, "completed"), jobs);
      } finally {
        q.stop(Duration.ofSeconds(10));
      }
      return db.inTx(
          tx ->
              tx.query(
                  "select count(*) from "
                      + schema
                      + ".job group by attempted_at order by attempted_at",
                  rs -> rs.getLong(1)));
    }
  }

  private static long count(Database db, String schema, String state) {
    return db.inTx(
        tx ->
            tx.queryOne(
                    "select count(*) from " + schema + ".job where state = '" + state + "'",
                    rs -> rs.getLong(1))
                .orElseThrow());
  }
}
