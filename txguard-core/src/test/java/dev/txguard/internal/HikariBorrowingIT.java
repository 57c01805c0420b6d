package dev.txguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.txguard.Fixture;
import dev.txguard.test.ClassDatabase;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The one use of a HikariCP class outside its documented API ({@code
 * HikariPool#getConnection(long)}) and its fallback to the public {@code
 * HikariDataSource#getConnection()}, on pools of one connection to a real PostgreSQL or MariaDB.
 */
class HikariBorrowingIT {
  @RegisterExtension static final ClassDatabase testDb = Fixture.classDatabase();

  private static HikariConfig config(long connectionTimeoutMs) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(testDb.url());
    config.setUsername(testDb.user());
    config.setPassword(testDb.password());
    config.setMaximumPoolSize(1);
    config.setConnectionTimeout(connectionTimeoutMs);
    return config;
  }

  @Test
  void thePoolsOwnBorrowingWaitsOnlyWhatTheCallerAsks() throws Exception {
    try (HikariDataSource ds = new HikariDataSource(config(120_000))) {
      HikariBorrowing borrowing = HikariBorrowing.of(ds);
      assertThat(borrowing.boundsEachWait()).isTrue();
      try (Connection held = borrowing.borrow(1_000)) {
        assertThat(selectOne(held)).isEqualTo(1);
        // the pool's own timeout is two minutes: only the per-call wait can end this within the
        // bound
        Throwable e = within(60, () -> borrowing.borrow(100));
        assertThat(e).isInstanceOf(SQLTransientConnectionException.class);
      }
    }
  }

  @Test
  void whenThePoolCannotBeReachedBorrowingFallsBackToThePublicApi() throws Exception {
    try (HikariDataSource ds = new MXBeanHidingDataSource(config(500))) {
      HikariBorrowing borrowing = HikariBorrowing.of(ds);
      assertThat(borrowing.boundsEachWait()).as("fallback chosen").isFalse();
      try (Connection held = borrowing.borrow(1_000)) {
        assertThat(selectOne(held)).isEqualTo(1);
        // the fallback waits the pool's connectionTimeout (500 ms) whatever the caller asks
        Throwable e = within(60, () -> borrowing.borrow(120_000));
        assertThat(e).isInstanceOf(SQLTransientConnectionException.class);
      }
      try (Connection again = borrowing.borrow(1_000)) {
        assertThat(selectOne(again)).as("the connection went back to the pool").isEqualTo(1);
      }
    }
  }

  /** What {@code call} threw, failing if it did not end within {@code seconds}. */
  private static Throwable within(int seconds, java.util.concurrent.Callable<Connection> call)
      throws Exception {
    CompletableFuture<Connection> done =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return call.call();
              } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
              }
            });
    try {
      Connection c = done.get(seconds, TimeUnit.SECONDS);
      c.close();
      throw new AssertionError(
          "borrowed a second connection from a pool of one whose connection is held");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("the borrow was still waiting after " + seconds + " s");
    }
  }

  private static int selectOne(Connection c) throws Exception {
    try (Statement st = c.createStatement();
        var rs = st.executeQuery("select 1")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** A HikariCP whose MXBean is not the pool itself, as another HikariCP version might give. */
  private static final class MXBeanHidingDataSource extends HikariDataSource {
    MXBeanHidingDataSource(HikariConfig config) {
      super(config);
    }

    @Override
    public HikariPoolMXBean getHikariPoolMXBean() {
      HikariPoolMXBean real = super.getHikariPoolMXBean();
      return (HikariPoolMXBean)
          Proxy.newProxyInstance(
              getClass().getClassLoader(),
              new Class<?>[] {HikariPoolMXBean.class},
              (proxy, method, args) -> method.invoke(real, args));
    }
  }
}
