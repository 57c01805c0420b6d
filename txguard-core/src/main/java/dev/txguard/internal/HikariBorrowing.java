package dev.txguard.internal;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * How a {@link Pool} borrows a connection with a wait of its own choosing, and the one place where
 * txguard uses a HikariCP class outside HikariCP's documented API: {@code
 * HikariPool#getConnection(long)} ({@code com.zaxxer.hikari.pool}), the only way to wait less than
 * the pool's {@code connectionTimeout}, so that a unit with 200 ms left waits 200 ms for a
 * connection, not 30 s. The pool is reached by casting {@link
 * HikariDataSource#getHikariPoolMXBean()}, which returns the pool itself in HikariCP 5 to 7; the
 * cast is checked, not assumed.
 *
 * <p>Fallback, when the cast fails or the class is absent (another HikariCP): the public {@link
 * HikariDataSource#getConnection()}, which waits the pool's {@code connectionTimeout} whatever the
 * unit has left; a unit then fails with {@code TxTimeoutException} only after that wait. {@code
 * HikariBorrowingIT} runs both. Pool statistics always come from the public {@link
 * com.zaxxer.hikari.HikariPoolMXBean}. Thread-safe.
 */
interface HikariBorrowing {
  /**
   * Borrows a connection, waiting at most {@code timeoutMs} (the fallback: the pool's timeout).
   *
   * @throws java.sql.SQLTransientConnectionException when none became free in time
   */
  Connection borrow(long timeoutMs) throws SQLException;

  /** Whether waits shorter than the pool's timeout are honoured (false in the fallback). */
  boolean boundsEachWait();

  /**
   * The best way to borrow from {@code ds}: the pool's own method when reachable, else the
   * fallback.
   */
  static HikariBorrowing of(HikariDataSource ds) {
    try {
      if (ds.getHikariPoolMXBean() instanceof HikariPool pool) {
        return new Bounded(pool);
      }
    } catch (LinkageError e) {
      Engine.LOG.debug(
          "HikariCP's pool class is not reachable, borrowing through the DataSource: {}",
          e.toString());
    }
    return publicApi(ds);
  }

  /** The fallback: HikariCP's public API only. */
  static HikariBorrowing publicApi(HikariDataSource ds) {
    return new HikariBorrowing() {
      @Override
      public Connection borrow(long timeoutMs) throws SQLException {
        return ds.getConnection();
      }

      @Override
      public boolean boundsEachWait() {
        return false;
      }
    };
  }

  /** Borrowing through the pool's own per-call timeout. */
  record Bounded(HikariPool pool) implements HikariBorrowing {
    @Override
    public Connection borrow(long timeoutMs) throws SQLException {
      return pool.getConnection(timeoutMs);
    }

    @Override
    public boolean boundsEachWait() {
      return true;
    }
  }
}
