package dev.txguard.test;

import dev.txguard.PoolStats;
import dev.txguard.test.spi.QueueSupport;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds what a test left behind: units still open, connections still borrowed, session advisory
 * locks still held, jobs still running. Each leak is reported once, so that one test's leak does
 * not fail every later test of the class.
 */
final class LeakChecker {
  private final TestDatabase tdb;
  private final QueueSupport queue;
  private final Set<String> reported = new HashSet<>();

  /**
   * What was open before the current test began (the class's own resources): not the test's leaks.
   */
  private final Set<String> baseline = new HashSet<>();

  private int borrowedReported;
  private int borrowedBaseline;

  LeakChecker(TestDatabase tdb, QueueSupport queue) {
    this.tdb = tdb;
    this.queue = queue;
  }

  /**
   * Records what is open now, before a test, so that {@link #check} reports only what the test
   * adds.
   */
  void baseline() throws SQLException {
    baseline.clear();
    borrowedBaseline = 0;
    leaks();
    baseline.addAll(keys);
    borrowedBaseline = Math.max(0, borrowedUnexplained);
  }

  /** Forgets the baseline: the next {@link #check} reports everything still open. */
  void clearBaseline() {
    baseline.clear();
    borrowedBaseline = 0;
  }

  /**
   * Waits up to {@code graceMillis} for everything to be released, then throws naming what was not.
   *
   * @throws AssertionError listing the leaks, each with where it was opened
   */
  void check(long graceMillis) throws SQLException, InterruptedException {
    long end = System.nanoTime() + graceMillis * 1_000_000;
    List<String> leaks = leaks();
    while (!leaks.isEmpty() && System.nanoTime() < end) {
      Thread.sleep(20);
      leaks = leaks();
    }
    if (leaks.isEmpty()) {
      return;
    }
    reported.addAll(keys);
    borrowedReported = borrowedNow;
    throw new AssertionError(
        "the test left "
            + leaks.size()
            + " thing(s) open (txguard-test leak check; "
            + "@TxguardTest(leakCheck = false) turns it off):\n- "
            + String.join("\n- ", leaks));
  }

  private final List<String> keys = new ArrayList<>();
  private int borrowedNow;
  private int borrowedUnexplained;

  private List<String> leaks() throws SQLException {
    keys.clear();
    List<String> leaks = new ArrayList<>();
    int openUnits = 0;
    for (UnitLog.Attempt a : tdb.units().open()) {
      openUnits++;
      String key = "unit:" + a.unit() + a.attempt() + a.thread() + a.openedAt();
      if (add(key)) {
        leaks.add(
            "unit '"
                + a.unit()
                + "' (attempt "
                + a.attempt()
                + ") is still open after "
                + a.duration().toMillis()
                + " ms, on thread '"
                + a.thread()
                + "'; it was begun at:"
                + frames(a.openedAt())
                + "\n  close every TxHandle from db.begin() (try-with-resources), and let work started on other"
                + " threads finish before the test ends");
      }
    }
    for (TrackedConnection c : tdb.faults().openUnpooled()) {
      if (add("conn:" + System.identityHashCode(c))) {
        leaks.add(
            "a connection opened outside txguard's pools (db.openConnection()) was never closed; it was"
                + " opened at:"
                + frames(c.openedAt));
      }
    }
    int borrowed = tdb.database().poolStats().stream().mapToInt(PoolStats::active).sum();
    borrowedNow = borrowed;
    borrowedUnexplained = borrowed - openUnits;
    int unexplained = borrowed - openUnits - borrowedReported - borrowedBaseline;
    if (unexplained > 0) {
      leaks.add(
          unexplained
              + " pooled connection(s) borrowed and not returned ("
              + pools()
              + ") beyond the open"
              + " units: a connection from db.dataSource() taken outside a unit must be closed by its user");
    }
    leaks.addAll(advisoryLocks());
    if (queue != null) {
      try (Connection c = tdb.connect()) {
        for (String job : queue.runningJobs(c)) {
          if (add("job:" + job)) {
            leaks.add(
                "a job is still running: "
                    + job
                    + "; stop the queue (queue.stop(timeout)) or wait for"
                    + " its jobs before the test ends");
          }
        }
      }
    }
    return leaks;
  }

  private boolean add(String key) {
    keys.add(key);
    return !reported.contains(key) && !baseline.contains(key);
  }

  private String pools() {
    StringBuilder sb = new StringBuilder();
    for (PoolStats s : tdb.database().poolStats()) {
      if (s.active() > 0) {
        sb.append(sb.isEmpty() ? "" : ", ")
            .append("level ")
            .append(s.level())
            .append(": ")
            .append(s.active())
            .append(" of ")
            .append(s.size());
      }
    }
    return sb.toString();
  }

  private List<String> advisoryLocks() throws SQLException {
    List<String> leaks = new ArrayList<>();
    String sql =
        "select l.pid, l.classid, l.objid, l.objsubid, l.mode, a.state, a.query from pg_locks l"
            + " join pg_stat_activity a on a.pid = l.pid where l.locktype = 'advisory' and l.granted"
            + " and l.database = (select oid from pg_database where datname = current_database())"
            + " and l.pid <> pg_backend_pid() order by l.pid";
    try (Connection c = tdb.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        int pid = rs.getInt(1);
        if (queue != null && queue.isQueueLock(rs.getLong(2), rs.getLong(3))) {
          continue;
        }
        String key = "lock:" + pid + ":" + rs.getLong(2) + ":" + rs.getLong(3) + ":" + rs.getInt(4);
        if (!add(key)) {
          continue;
        }
        String where = where(pid, rs.getString(7));
        leaks.add(
            "an advisory lock ("
                + rs.getString(5)
                + ", key "
                + rs.getLong(2)
                + "/"
                + rs.getLong(3)
                + ") is still held by session "
                + pid
                + " ("
                + rs.getString(6)
                + "); "
                + where
                + "\n  release session advisory locks (pg_advisory_unlock) or use db.locks().withExclusive(...)");
      }
    }
    return leaks;
  }

  private String where(int pid, String lastQuery) {
    for (TrackedConnection c : tdb.faults().openConnections()) {
      if (c.pid == pid && c.advisoryLockAt != null) {
        return "it was taken by '"
            + Sql.abbreviate(c.advisoryLockSql)
            + "' at:"
            + frames(c.advisoryLockAt);
      }
    }
    return "the session's last statement was: " + Sql.abbreviate(lastQuery);
  }

  private static String frames(List<StackTraceElement> stack) {
    if (stack == null || stack.isEmpty()) {
      return " (unknown)";
    }
    StringBuilder sb = new StringBuilder();
    for (StackTraceElement f : stack.subList(0, Math.min(stack.size(), 12))) {
      sb.append("\n\tat ").append(f);
    }
    return sb.toString();
  }
}
