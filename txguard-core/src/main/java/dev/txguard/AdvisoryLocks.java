package dev.txguard;

import dev.txguard.internal.Engine;
import dev.txguard.internal.LockKeys;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;

/**
 * Session-scoped advisory locks (PostgreSQL's advisory locks; on MariaDB and MySQL {@code GET_LOCK}
 * slots, see txguard-core/MARIADB.md) held on a connection of their own while work runs, released
 * in every outcome. From {@link Database#locks()}. The classic use is the shared/exclusive pattern:
 * every running import holds the import's key shared, and "cancel" takes it exclusive, so cancel
 * returns only once the running imports have finished:
 *
 * <pre>{@code
 * // each import task
 * db.locks().withShared("import:" + importId, Duration.ofSeconds(5), () -> runImport(importId));
 * // cancel: waits at most 30 s for the running tasks
 * db.locks().withExclusive("import:" + importId, Duration.ofSeconds(30), () -> deletePending(importId));
 * }</pre>
 *
 * <p>Keys are {@code String}s or {@code Long}s, hashed into txguard's namespace (the two-key form
 * with first key {@link #NAMESPACE}), the same keys as {@link Tx#lock(Object)}. Lock connections
 * come from a pool of their own ({@code poolSize} connections, opened on first use), separate from
 * the units' pools, so holding a lock while running units cannot exhaust the units' pools. Every
 * lock held takes one connection of that pool while it is held, nested locks included: more than
 * {@code poolSize} locks held at once make the next one wait for a connection, and fail with {@link
 * PoolExhaustedException} after the connection timeout. Thread-safe.
 */
public final class AdvisoryLocks {
  /**
   * The first key of every txguard advisory lock ("txgd"), visible as {@code classid} in pg_locks.
   */
  public static final int NAMESPACE = 0x74786764;

  private final Engine engine;

  AdvisoryLocks(Engine engine) {
    this.engine = engine;
  }

  /**
   * Runs {@code work} holding the exclusive lock on {@code key}, waiting at most {@code timeout}
   * for it.
   *
   * @param <T> the type of the work's result
   * @param <X> the checked exception type the work may throw
   * @param key a {@code String} or a {@code Long}, hashed into txguard's namespace
   * @param timeout how long to wait for the lock, positive; sent as {@code lock_timeout}, which
   *     PostgreSQL takes up to {@code Integer.MAX_VALUE} ms (about 24.8 days)
   * @param work run once, on the calling thread, while the lock is held
   * @return what {@code work} returned
   * @throws LockTimeoutException naming the key and the wait, when the lock was not granted in time
   * @throws X what {@code work} threw, after the lock was released
   * @throws IllegalArgumentException for a null work, a key that is not a String or Long, or a
   *     non-positive timeout
   */
  public <T, X extends Exception> T withExclusive(
      Object key, Duration timeout, LockedWork<T, X> work) throws X {
    return with(false, key, timeout, work);
  }

  /**
   * Runs {@code work} holding the shared lock on {@code key}, waiting at most {@code timeout} for
   * it (only an exclusive holder makes it wait).
   *
   * @param <T> the type of the work's result
   * @param <X> the checked exception type the work may throw
   * @param key a {@code String} or a {@code Long}, hashed into txguard's namespace
   * @param timeout how long to wait for the lock, positive; sent as {@code lock_timeout}, which
   *     PostgreSQL takes up to {@code Integer.MAX_VALUE} ms (about 24.8 days)
   * @param work run once, on the calling thread, while the lock is held
   * @return what {@code work} returned
   * @throws X what {@code work} threw, after the lock was released
   * @see #withExclusive(Object, Duration, LockedWork)
   */
  public <T, X extends Exception> T withShared(Object key, Duration timeout, LockedWork<T, X> work)
      throws X {
    return with(true, key, timeout, work);
  }

  /**
   * Runs {@code work} holding the exclusive lock on {@code key} if it is free now; otherwise does
   * nothing.
   *
   * @param <T> the type of the work's result
   * @param <X> the checked exception type the work may throw
   * @param key a {@code String} or a {@code Long}, hashed into txguard's namespace
   * @param work run once, on the calling thread, while the lock is held; not run when the lock is
   *     taken
   * @return what {@code work} returned, or empty when the lock was taken by someone else (or {@code
   *     work} returned null)
   * @throws X what {@code work} threw, after the lock was released
   */
  public <T, X extends Exception> Optional<T> tryExclusive(Object key, LockedWork<T, X> work)
      throws X {
    int id = LockKeys.id(key);
    requireWork(work);
    Connection c = engine.lent().lockConnection();
    try {
      boolean taken;
      try (PreparedStatement ps = c.prepareStatement(engine.dialect().trySessionLock())) {
        ps.setInt(1, NAMESPACE);
        ps.setInt(2, id);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          taken = rs.getBoolean(1);
        }
        c.commit();
      } catch (SQLException e) {
        engine.lent().discardLockConnection(c); // it may hold the lock: never return it to the pool
        throw new TxException(
            "could not try the advisory lock on key "
                + LockKeys.describe(key)
                + ": "
                + e.getMessage(),
            e);
      }
      if (!taken) {
        return Optional.empty();
      }
      return Optional.ofNullable(runAndUnlock(c, false, key, id, work));
    } finally {
      engine.lent().releaseLockConnection(c);
    }
  }

  private <T, X extends Exception> T with(
      boolean shared, Object key, Duration timeout, LockedWork<T, X> work) throws X {
    int id = LockKeys.id(key);
    requireWork(work);
    if (timeout == null || timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    TxOptions.requireAtMostMaxMillis("timeout", timeout);
    Connection c = engine.lent().lockConnection();
    try {
      acquire(engine, c, shared, key, id, timeout);
      return runAndUnlock(c, shared, key, id, work);
    } finally {
      engine.lent().releaseLockConnection(c);
    }
  }

  private static void acquire(
      Engine engine, Connection c, boolean shared, Object key, int id, Duration timeout) {
    long start = System.nanoTime();
    try {
      try (Statement st = c.createStatement()) {
        st.execute(engine.dialect().transactionLockTimeout(timeout.toMillis()));
      }
      boolean granted;
      try (PreparedStatement ps = c.prepareStatement(engine.dialect().sessionLock(shared))) {
        ps.setInt(1, NAMESPACE);
        ps.setInt(2, id);
        granted = granted(engine, ps);
      }
      c.commit(); // a session lock outlives the transaction that took it
      if (!granted) {
        throw lockTimeout(shared, key, timeout, (System.nanoTime() - start) / 1_000_000, null);
      }
    } catch (SQLException e) {
      throw lockFailed(engine, c, shared, key, timeout, start, e);
    }
  }

  /**
   * What a failed lock statement means: a wait that ran out is a {@link LockTimeoutException} (the
   * connection rolled back and kept); anything else discards the connection, which may hold the
   * lock (a failed COMMIT after the grant), and is a {@link TxException}.
   */
  private static RuntimeException lockFailed(
      Engine engine,
      Connection c,
      boolean shared,
      Object key,
      Duration timeout,
      long start,
      SQLException e) {
    long waited = (System.nanoTime() - start) / 1_000_000;
    if (engine.dialect().lockNotAvailable(e)) {
      rollbackQuietly(c, e);
      return lockTimeout(shared, key, timeout, waited, e);
    }
    engine.lent().discardLockConnection(c);
    return new TxException(
        "could not take the advisory lock on key " + LockKeys.describe(key) + ": " + e.getMessage(),
        e);
  }

  /** Runs the lock statement: true unless the dialect reports a wait that ran out in its result. */
  private static boolean granted(Engine engine, PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      return !engine.dialect().lockGrantInResult() || (rs.next() && rs.getInt(1) == 1);
    }
  }

  private static LockTimeoutException lockTimeout(
      boolean shared, Object key, Duration timeout, long waited, SQLException cause) {
    return new LockTimeoutException(
        "could not take the "
            + (shared ? "shared" : "exclusive")
            + " advisory lock on key "
            + LockKeys.describe(key)
            + " within "
            + timeout.toMillis()
            + " ms (waited "
            + waited
            + " ms): another session holds it "
            + (shared ? "exclusively" : "(shared or exclusive)"),
        cause);
  }

  private <T, X extends Exception> T runAndUnlock(
      Connection c, boolean shared, Object key, int id, LockedWork<T, X> work) throws X {
    Throwable failure = null;
    try {
      return work.run();
    } catch (Throwable t) {
      failure = t;
      throw t;
    } finally {
      unlock(c, shared, key, id, failure);
    }
  }

  private void unlock(Connection c, boolean shared, Object key, int id, Throwable failure) {
    try (PreparedStatement ps = c.prepareStatement(engine.dialect().sessionUnlock(shared))) {
      ps.setInt(1, NAMESPACE);
      ps.setInt(2, id);
      ps.executeQuery().close();
      c.commit();
    } catch (SQLException e) {
      // closing the session releases its locks: discard the connection rather than return it locked
      engine.lent().discardLockConnection(c);
      TxException error =
          new TxException(
              "could not release the advisory lock on key "
                  + LockKeys.describe(key)
                  + "; its connection was closed instead, which releases it",
              e);
      if (failure != null) {
        failure.addSuppressed(error);
      }
    }
  }

  private static void rollbackQuietly(Connection c, SQLException failure) {
    try {
      c.rollback();
    } catch (SQLException e) {
      failure.addSuppressed(e);
    }
  }

  private static void requireWork(LockedWork<?, ?> work) {
    if (work == null) {
      throw new IllegalArgumentException("work must not be null");
    }
  }
}
