package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.test.ClassDatabase;
import java.net.URI;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Connecting is bounded by the connection timeout even when the server accepts the TCP connection
 * and never answers. Each call runs on another thread; the test gives it a minute (sixty times its
 * timeout) to come back, so a hang fails the test instead of the build.
 */
class ConnectionBoundsIT {
  @RegisterExtension static final ClassDatabase testDb = Fixture.classDatabase();
  static final Duration TIMEOUT = Duration.ofSeconds(1);

  /**
   * Runs {@code call} and returns what it threw, failing if it neither returned nor threw in a
   * minute.
   */
  private static Throwable thrownBy(Runnable call, String what) throws InterruptedException {
    CompletableFuture<Void> done = CompletableFuture.runAsync(call);
    try {
      done.get(60, TimeUnit.SECONDS);
      throw new AssertionError(what + " succeeded against a server that never answers");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError(
          what
              + " was still connecting after 60 s although its connectionTimeout is "
              + TIMEOUT.toMillis()
              + " ms");
    }
  }

  @Test
  void buildFailsWithinItsTimeoutAgainstAServerThatNeverAnswers() throws Exception {
    try (SilentServer silent = new SilentServer()) {
      String url = Fixture.scheme() + "127.0.0.1:" + silent.port() + "/app";
      Throwable e =
          thrownBy(
              () -> Database.builder().url(url).user("app").connectionTimeout(TIMEOUT).build(),
              "build()");
      assertThat(e)
          .isInstanceOf(TxException.class)
          .hasMessageStartingWith(
              "cannot connect to " + url + " as app (connectionTimeout 1000 ms)")
          .hasMessageContaining("127.0.0.1:" + silent.port());
    }
  }

  @Test
  void buildOverAUserDataSourceIsBoundedToo() throws Exception {
    try (SilentServer silent = new SilentServer()) {
      DataSource source = dataSource("127.0.0.1", silent.port(), "app");
      Throwable e =
          thrownBy(
              () -> Database.builder().dataSource(source).connectionTimeout(TIMEOUT).build(),
              "build() over a DataSource");
      assertThat(e)
          .isInstanceOf(TxException.class)
          .hasMessageStartingWith(
              "cannot connect to the given DataSource (connectionTimeout 1000 ms)");
    }
  }

  @Test
  void laterConnectionsAreBoundedWhenTheServerStopsAnswering() throws Exception {
    URI server = Fixture.address(testDb);
    try (SilentServer proxy = new SilentServer(server.getHost(), server.getPort())) {
      String url = Fixture.scheme() + "127.0.0.1:" + proxy.port() + "/" + testDb.database();
      try (Database db =
          Database.builder()
              .url(url)
              .user(testDb.user())
              .password(testDb.password())
              .poolSize(1)
              .connectionTimeout(TIMEOUT)
              .build()) {
        db.useTx(tx -> tx.query("select 1", rs -> 1));
        proxy.goSilent();
        Throwable levelUp =
            thrownBy(
                () -> db.useTx(tx -> db.useNewTx(inner -> inner.query("select 1", rs -> 1))),
                "a unit one level up (a new pool's first connection)");
        assertThat(levelUp).isInstanceOf(TxException.class);
        Throwable direct = thrownBy(db::openConnection, "db.openConnection()");
        assertThat(direct)
            .isInstanceOf(TxException.class)
            .hasMessageStartingWith("cannot open a connection to " + url);
      }
    }
  }

  /** The run's driver's own DataSource for a server at {@code host:port}. */
  private static DataSource dataSource(String host, int port, String database) throws SQLException {
    if (Fixture.MARIADB) {
      return new MariaDbDataSource("jdbc:mariadb://" + host + ":" + port + "/" + database);
    }
    PGSimpleDataSource source = new PGSimpleDataSource();
    source.setServerNames(new String[] {host});
    source.setPortNumbers(new int[] {port});
    source.setDatabaseName(database);
    return source;
  }
}
