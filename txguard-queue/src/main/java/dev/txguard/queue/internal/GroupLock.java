package dev.txguard.queue.internal;

import dev.txguard.TxException;
import java.sql.SQLException;

/**
 * A running grouped attempt's hold on its group's lock, which {@code cancelGroup} takes exclusively
 * to wait for the group's attempts. The lock is session-scoped, taken shared on a {@link
 * DedicatedConnection} the attempt holds for its whole run (transactional and plain handlers alike)
 * and released only when the attempt ends: no unit is open for it, so a unit timeout in {@code
 * txOptions}, the server's {@code idle_in_transaction_session_timeout} or the leak sweep cannot end
 * it early, and a plain handler stays outside any transaction. The price is one connection per
 * running grouped attempt, opened outside the pools. If the server ends the session anyway (a
 * dropped connection), the lock goes with it; {@code cancelGroup} then still waits for the job's
 * row to stop saying running (see {@link Canceller}).
 */
final class GroupLock implements AutoCloseable {
  private final DedicatedConnection conn;
  private final Sql sql;
  private final String key;
  private boolean cancelRequested;

  private GroupLock(DedicatedConnection conn, Sql sql, String key) {
    this.conn = conn;
    this.sql = sql;
    this.key = key;
  }

  /** Whether cancel had been requested for the job when the lock was taken. */
  boolean cancelRequested() {
    return cancelRequested;
  }

  /**
   * Takes {@code a}'s group lock shared (waiting while {@code cancelGroup} holds it), then reads
   * whether cancel was requested before: such an attempt must not run its handler.
   *
   * @throws TxException naming the job and group if the connection or the lock cannot be had
   */
  static GroupLock take(QueueConfig config, Sql sql, Attempt a) {
    String key = LockKeys.group(sql.schema, a.group);
    DedicatedConnection conn = null;
    try {
      conn = DedicatedConnection.open(config, sql);
      conn.query(sql.groupLock, LockKeys.GROUP, key);
      GroupLock lock = new GroupLock(conn, sql, key);
      lock.cancelRequested = conn.test(sql.cancelCheck, a.id, a.token);
      return lock;
    } catch (SQLException e) {
      if (conn != null) {
        conn.close();
      }
      throw new TxException(
          "cannot take the lock of group '"
              + a.group
              + "' for "
              + a
              + " (SQLSTATE "
              + e.getSQLState()
              + "): "
              + Bounded.message(e.getMessage())
              + "; the attempt is retried",
          e);
    }
  }

  /** Releases the lock and closes the connection (ending the session releases it too). */
  @Override
  public void close() {
    try {
      conn.query(sql.groupUnlock, LockKeys.GROUP, key);
    } catch (SQLException e) {
      Events.LOG.debug(
          "releasing the lock of group key {} failed; closing its session releases it", key, e);
    } finally {
      conn.close();
    }
  }
}
