package dev.txguard.queue.internal;

import dev.txguard.Database;
import dev.txguard.StatementException;
import dev.txguard.Tx;
import dev.txguard.queue.CancelResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Cancellation. Jobs that have not started are cancelled at once (final). Running attempts are
 * asked to stop: the flag is stored in the job's row (other processes see it at their next
 * heartbeat) and set on this process's attempts at once. {@code cancelGroup} then waits for the
 * group's running attempts: each holds the group's advisory lock shared for its whole run, and the
 * wait takes it exclusively under a {@code lock_timeout}. An attempt claimed meanwhile takes the
 * shared lock and then finds the cancel flag, so it never runs its handler after the wait returned.
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

  Canceller(QueueConfig config, Sql sql, Now now, Running running, Waiters waiters) {
    this.config = config;
    this.sql = sql;
    this.now = now;
    this.running = running;
    this.waiters = waiters;
  }

  boolean cancel(long id) {
    int[] counts = mark(id, null);
    return counts[0] + counts[1] > 0;
  }

  CancelResult cancelGroup(String group, Duration wait) {
    int[] counts = mark(null, group);
    int asked = counts[1];
    if (asked == 0) {
      return new CancelResult(counts[0], 0, 0);
    }
    long deadline = System.nanoTime() + wait.toNanos();
    awaitGroup(group, wait);
    // With the group's lock no attempt executes anywhere, and each ended attempt records its end a
    // moment later. A job whose worker died says 'running' until its lease expires (rescue then
    // ends it cancelled): what still says running when the wait is over is reported so, not ended.
    long still = countRunning(group);
    while (still > 0 && System.nanoTime() - deadline < 0) {
      LockSupport.parkNanos(Math.min(20_000_000L, deadline - System.nanoTime()));
      still = countRunning(group);
    }
    return new CancelResult(counts[0], Math.max(0, asked - (int) still), (int) still);
  }

  private long countRunning(String group) {
    return config.db().inNewTx(config.txOptions().name("cancel group: count running").readOnly(true),
        tx -> tx.queryOne("select count(*) from " + sql.schema + ".job where job_group = ? and state = 'running'",
            rs -> rs.getLong(1), group).orElse(0L));
  }

  /**
   * Cancels what has not started and flags what runs, in one statement (see cancel.sql); returns
   * {cancelled, asked to stop}.
   */
  private int[] mark(Long id, String group) {
    Database db = config.db();
    List<Object[]> rows = db.inNewTx(config.txOptions().name("cancel"), tx -> {
      List<Object[]> marked = tx.query(sql.cancel,
          rs -> new Object[] {rs.getLong(1), rs.getBoolean(2), rs.getBoolean(3)}, now.param(), id, group);
      marked.stream().filter(r -> (Boolean) r[1] && (Boolean) r[2]).forEach(r -> announce(tx, (Long) r[0]));
      return marked;
    });
    int cancelled = 0;
    for (Object[] r : rows) {
      if ((Boolean) r[1]) {
        cancelled++;
        if ((Boolean) r[2]) {
          waiters.ended((Long) r[0]);
        }
      }
    }
    for (Attempt a : running.snapshot()) {
      if ((id != null && a.id == id) || (group != null && group.equals(a.group))) {
        a.cancelRequested = true;
      }
    }
    return new int[] {cancelled, rows.size() - cancelled};
  }

  /**
   * {@code wait} as a {@code lock_timeout}: at least 1 ms (0 would wait forever), at most the
   * setting's limit of {@link Integer#MAX_VALUE} ms (about 24.8 days).
   */
  static long lockTimeoutMillis(Duration wait) {
    return wait.compareTo(MAX_WAIT) >= 0 ? MAX_WAIT.toMillis() : Math.max(1, wait.toMillis());
  }

  private void announce(Tx tx, long id) {
    tx.queryOne("select pg_notify(?, ?)::text", rs -> rs.getString(1), sql.doneChannel, Long.toString(id));
  }

  /** Takes the group's lock exclusively within {@code wait}: true once no attempt of the group runs. */
  private boolean awaitGroup(String group, Duration wait) {
    String key = LockKeys.group(sql.schema, group);
    try {
      return config.db().inNewTx(config.txOptions().name("cancel group '" + group + "': wait " + wait), tx -> {
        if (wait.isZero()) {
          return tx.queryOne("select pg_try_advisory_xact_lock(?, hashtext(?))", rs -> rs.getBoolean(1),
              LockKeys.GROUP, key).orElse(false);
        }
        tx.queryOne("select set_config('lock_timeout', ?, true)", rs -> rs.getString(1),
            lockTimeoutMillis(wait) + "ms");
        tx.queryOne("select pg_advisory_xact_lock(?, hashtext(?))::text", rs -> rs.getString(1), LockKeys.GROUP, key);
        return true;
      });
    } catch (StatementException e) {
      if (LOCK_NOT_AVAILABLE.equals(e.sqlState())) {
        return false;
      }
      throw e;
    }
  }
}
