package dev.txguard.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.queue.JobQueue;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The claim cursor carries a job's run_at through its claim's result (microseconds since the epoch)
 * back into the next claim: the next claim continues right after that job, whatever its run_at, and
 * takes the job of the same priority and run_at with the next id. Jobs are enqueued at a queue
 * clock set to that run_at (a clock may stand anywhere; runAt options accept 1970 to 9999). A
 * microsecond count further from the epoch than 2^53 (before 1685, after 2255) is not exact as a
 * float8, so it must not pass through one: bigint * interval did, and rounded 1600-06-01
 * 00:00:00.000003 up to .000004, so the claim after the cursor skipped the second job.
 */
@TxguardTest(queue = false)
class ClaimCursorRunAtIT {
  @Injected static TestDatabase pg;

  record Work(int n) {}

  @ParameterizedTest
  @ValueSource(
      strings = {
        "1600-06-01T00:00:00.000003Z",
        "0000-06-01T00:00:00.000003Z",
        "0001-01-01T00:00:00.000001Z",
        "1969-12-31T23:59:59.999999Z",
        "2026-01-01T00:00:00.000001Z",
        "2300-01-01T00:00:00.000003Z",
        "9999-12-31T23:59:59.999999Z"
      })
  void aClaimFromTheCursorTakesTheNextJobOfTheSameRunAt(String runAt) throws Exception {
    String schema = "cursor_run_at";
    long firstId;
    long secondId;
    Sql sql = new Sql(schema);
    try (Database db = ClaimFixture.db(pg)) {
      // enqueued at the queue's clock: available, with that run_at
      Clock clock = Clock.fixed(Instant.parse(runAt), ZoneOffset.UTC);
      JobQueue queue =
          JobQueue.builder(db).schema(schema).clock(clock).declare("work", Work.class).build();
      queue.migrate();
      try (Connection c = pg.connect()) {
        c.createStatement().execute("delete from " + schema + ".job");
      }
      firstId = queue.enqueue(new Work(1)).id();
      secondId = queue.enqueue(new Work(2)).id();
    }
    try (Connection c = pg.connect()) {
      c.setAutoCommit(false);
      // the clock of both claims is after every run_at of the test
      List<long[]> first = claim(c, sql, new Object[] {-1, 0L, 0L}, 1);
      assertThat(first).as("jobs claimed from the head").hasSize(1);
      long[] last = first.getFirst();
      assertThat(last[0]).as("the job claimed from the head").isEqualTo(firstId);
      List<long[]> next = claim(c, sql, new Object[] {0, last[1], last[0]}, 1);
      c.rollback();
      assertThat(next)
          .as("jobs claimed after the cursor of job %d (run_at %s, %d us)", last[0], runAt, last[1])
          .hasSize(1);
      assertThat(next.getFirst()[0]).as("the job claimed after the cursor").isEqualTo(secondId);
    }
  }

  /** Runs claim.sql with {@code cursor} (priority, run_at in us, id); returns (id, run_at_us). */
  private static List<long[]> claim(Connection c, Sql sql, Object[] cursor, int limit)
      throws Exception {
    List<long[]> claimed = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql.claim(limit))) {
      ClaimFixture.bind(
          ps, c, "9999-12-31 23:59:59.999999+00", "default", cursor, "cursor-run-at-test");
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          claimed.add(new long[] {rs.getLong("id"), rs.getLong("run_at_us")});
        }
      }
    }
    return claimed;
  }
}
