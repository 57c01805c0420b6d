package dev.txguard.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.queue.EnqueueOptions;
import dev.txguard.queue.JobQueue;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Claims that walk a queue from the head, each continuing after the last job the one before took
 * (the fetcher's cursor), take every available job of that queue exactly once, in claim order,
 * whatever the LIMIT written into the claim's text (1, a few, the exact maximum and a rounded one)
 * and with priorities at both ends of their range; jobs of another queue, another run level or a
 * queue whose name differs only in case are not taken.
 */
@TxguardTest(queue = false)
class ClaimCursorWalkIT {
  @Injected static TestDatabase pg;

  record Work(int n) {}

  private static final String QUEUE = "Q.odd:name-1_";

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 64, 72})
  void claimsFromTheCursorTakeEveryJobOnceInOrder(int limit) throws Exception {
    String schema = "cursor_walk";
    Sql sql = new Sql(schema);
    List<Long> expected = new ArrayList<>();
    try (Database db = ClaimFixture.db(pg)) {
      JobQueue queue = JobQueue.builder(db).schema(schema).declare("work", Work.class).build();
      queue.migrate();
      try (Connection c = pg.connect()) {
        c.createStatement().execute("delete from " + schema + ".job");
      }
      int[] priorities = {32767, 0, 1, 0, 32767, 1, 0, 5, 32767};
      List<long[]> keys = new ArrayList<>();
      for (int i = 0; i < 150; i++) {
        int p = priorities[i % priorities.length];
        long id =
            queue.enqueue(new Work(i), EnqueueOptions.defaults().queue(QUEUE).priority(p)).id();
        keys.add(new long[] {p, id});
        // decoys: other queues, same priorities
        queue.enqueue(new Work(-i), EnqueueOptions.defaults().queue("q.odd:name-1_").priority(p));
        queue.enqueue(new Work(-i), EnqueueOptions.defaults().priority(p));
      }
      // same run_at within a priority is not guaranteed (now() per unit), so order by what the
      // database holds
      try (Connection c = pg.connect();
          PreparedStatement ps =
              c.prepareStatement(
                  "select id from "
                      + schema
                      + ".job where queue = ? order by priority, run_at, id")) {
        ps.setString(1, QUEUE);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            expected.add(rs.getLong(1));
          }
        }
      }
      assertThat(expected).hasSize(keys.size());
    }
    List<Long> claimed = new ArrayList<>();
    try (Connection c = pg.connect()) {
      c.setAutoCommit(false);
      Object[] cursor = {-1, 0L, 0L};
      for (int round = 0; round < 1000; round++) {
        List<long[]> rows = claim(c, sql, cursor, limit);
        c.commit();
        if (rows.isEmpty()) {
          break;
        }
        assertThat(rows.size()).as("a claim takes at most its limit").isLessThanOrEqualTo(limit);
        long[] last = null;
        for (long[] r : rows) {
          claimed.add(r[0]);
          if (last == null || compare(r, last) > 0) {
            last = r;
          }
        }
        cursor = new Object[] {(int) last[2], last[1], last[0]};
      }
      c.createStatement().execute("delete from " + schema + ".job"); // no running job left over
      c.commit();
    }
    List<Long> sortedClaimed = new ArrayList<>(claimed);
    assertThat(sortedClaimed).as("every job once").doesNotHaveDuplicates();
    assertThat(sortedClaimed).containsExactlyInAnyOrderElementsOf(expected);
  }

  private static int compare(long[] a, long[] b) {
    int c = Long.compare(a[2], b[2]);
    if (c == 0) {
      c = Long.compare(a[1], b[1]);
    }
    return c != 0 ? c : Long.compare(a[0], b[0]);
  }

  /** Runs claim.sql with {@code cursor}; returns (id, run_at_us, priority) per claimed job. */
  private static List<long[]> claim(Connection c, Sql sql, Object[] cursor, int limit)
      throws Exception {
    List<long[]> claimed = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql.claim(limit))) {
      ClaimFixture.bind(ps, c, "9999-12-31 23:59:59.999999+00", QUEUE, cursor, "cursor-walk-test");
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          claimed.add(
              new long[] {rs.getLong("id"), rs.getLong("run_at_us"), rs.getInt("priority")});
        }
      }
    }
    return claimed;
  }
}
