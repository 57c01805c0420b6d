package dev.txguard.queue.internal;

import dev.txguard.TxException;
import dev.txguard.queue.CancelResult;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Cancellation. Jobs that have not started are cancelled at once (final). Running attempts are
 * asked to stop: the flag is stored in the job's row (other processes see it at their next
 * heartbeat) and set on this process's attempts at once. {@code cancelGroup} then waits for the
 * group's running attempts: each holds the group's advisory lock shared for its whole run (a {@link
 * GroupLock}), and the wait takes it exclusively on a {@link DedicatedConnection} under a {@code
 * lock_timeout} (no unit: neither a unit timeout nor the leak sweep cuts a long wait short). An
 * attempt claimed meanwhile takes the shared lock and then finds the cancel flag, so it never runs
 * its handler after the wait returned. After the lock, the wait goes on (within its bound) until no
 * job of the group says running: an ended attempt records its end a moment after it released the
 * lock, and an attempt whose lock session was dropped still runs.
 */
final class Canceller {
  private static final String LOCK_NOT_AVAILABLE = "55P03";

  /** The longest {@code lock_timeout} PostgreSQL accepts. */
  static final Duration MAX_WAIT = Duration.ofMillis(Integer.MAX_VALUE);

  private final QueueConfig config;
  private final Sql sql;
  private final Now now;
  private final Running running;
  private final Waiters waiters;
  private final Notifier notifier;

  Canceller(QueueConfig config, Sql sql, Now now, Running running, Waiters waiters) {
    this.config = config;
    this.sql = sql;
    this.now = now;
    this.running = running;
    this.waiters = waiters;
    this.notifier = new Notifier(sql);
  }

  boolean cancel(long id) {
    int[] counts = mark(sql.cancelJob, id);
    return counts[0] + counts[1] > 0;
  }

  CancelResult cancelGroup(String group, Duration wait) {
    int[] counts = mark(sql.cancelGroup, group);
    int asked = counts[1];
    if (asked == 0) {
      return new CancelResult(counts[0], 0, 0);
    }
    long deadline = System.nanoTime() + wait.toNanos();
    awaitGroup(group, wait);
    // What still says running when the wait is over is reported so, not ended: a job whose worker
    // died says 'running' until its lease expires (rescue then ends it cancelled).
    long still = countRunning(group);
    while (still > 0 && System.nanoTime() - deadline < 0) {
      LockSupport.parkNanos(Math.min(20_000_000L, deadline - System.nanoTime()));
      still = countRunning(group);
    }
    return new CancelResult(counts[0], Math.max(0, asked - (int) still), (int) still);
  }

  private long countRunning(String group) {
    return config
        .db()
        .inNewTx(
            config.txOptions().name("cancel group: count running").readOnly(true),
            tx ->
                LookupPlans.query(tx, sql, sql.groupRunning, rs -> rs.getLong("running"), group)
                    .get(0)); // count(*): one row
  }

  /**
   * Cancels what has not started and flags what runs, in one statement ({@code statement}:
   * cancel_job.sql with a job id or cancel_group.sql with a group as {@code key}); returns
   * {cancelled, asked to stop}.
   */
  private int[] mark(String statement, Object key) {
    List<Rows.Marked> rows =
        config
            .db()
            .inNewTx(
                config.txOptions().name("cancel"),
                tx -> {
                  List<Rows.Marked> marked =
                      LookupPlans.query(tx, sql, statement, Rows.Marked::read, now.param(), key);
                  marked.stream()
                      .filter(r -> r.cancelled() && r.awaited())
                      .forEach(r -> notifier.jobEnded(tx, r.id()));
                  notifier.cancelRequested(
                      tx,
                      marked.stream().filter(r -> !r.cancelled()).map(Rows.Marked::id).toList());
                  return marked;
                });
    int cancelled = 0;
    for (Rows.Marked r : rows) {
      if (r.cancelled()) {
        cancelled++;
        if (r.awaited()) {
          waiters.ended(r.id());
        }
      }
    }
    // this process's attempts of the jobs asked to stop see it now; other processes' when the
    // unit's NOTIFY reaches them (the same Running.requestCancel, from their control connections)
    rows.stream().filter(r -> !r.cancelled()).forEach(r -> running.requestCancel(r.id()));
    return new int[] {cancelled, rows.size() - cancelled};
  }

  /**
   * {@code wait} as a {@code lock_timeout}: at least 1 ms (0 would wait forever), at most the
   * setting's limit of {@link Integer#MAX_VALUE} ms (about 24.8 days).
   */
  static long lockTimeoutMillis(Duration wait) {
    return wait.compareTo(MAX_WAIT) >= 0 ? MAX_WAIT.toMillis() : Math.max(1, wait.toMillis());
  }

  /**
   * Takes the group's lock exclusively within {@code wait}, then releases it: true once no attempt
   * holds it.
   */
  private boolean awaitGroup(String group, Duration wait) {
    String key = LockKeys.group(sql.schema, group);
    try (DedicatedConnection conn = DedicatedConnection.open(config, sql)) {
      boolean taken;
      if (wait.isZero()) {
        taken = conn.test(sql.groupTry, LockKeys.GROUP, key);
      } else {
        conn.query(sql.lockTimeout, lockTimeoutMillis(wait) + "ms");
        taken = lockOrTimeout(conn, key);
      }
      if (taken) {
        conn.query(sql.groupWaitRelease, LockKeys.GROUP, key);
      }
      return taken;
    } catch (SQLException e) {
      throw new TxException(
          "cancelGroup('"
              + group
              + "') cannot wait for the group's running attempts (SQLSTATE "
              + e.getSQLState()
              + "): "
              + Bounded.message(e.getMessage())
              + "; their jobs are marked cancel-requested",
          e);
    }
  }

  private boolean lockOrTimeout(DedicatedConnection conn, String key) throws SQLException {
    try {
      conn.query(sql.groupWait, LockKeys.GROUP, key);
      return true;
    } catch (SQLException e) {
      if (LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
        return false;
      }
      throw e;
    }
  }
}
