package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.txguard.test.ClassDatabase;
import dev.txguard.test.LogCapture;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A password never shows: not in a failed connect, a failed statement, a leak report, a
 * pool-exhaustion report, a log line or a {@code toString}, whether it came in the URL's query, in
 * its {@code user:password@} part, or through {@code password(...)}.
 */
class SecretsIT {
  @RegisterExtension static final ClassDatabase testDb = Fixture.classDatabase();

  /**
   * The server's real password when it has one; else any text works on a trust-auth PostgreSQL, and
   * on MariaDB it is the password of a user made for this class.
   */
  static final String SECRET =
      testDb.password().isEmpty() ? "Sup3r-S3cret-9f1c" : testDb.password();

  /** The user that logs in with {@link #SECRET}. */
  static final String USER =
      Fixture.MARIADB && testDb.password().isEmpty() ? "txguard_secret" : testDb.user();

  private LogCapture log;

  @BeforeAll
  static void createTheUser() throws Exception {
    if (!USER.equals(testDb.user())) {
      for (String host : List.of("%", "localhost")) {
        testDb.execute(
            "create user if not exists '"
                + USER
                + "'@'"
                + host
                + "' identified by '"
                + SECRET
                + "'",
            "grant all on *.* to '" + USER + "'@'" + host + "'");
      }
    }
  }

  @BeforeEach
  void captureLog() throws IOException {
    log = LogCapture.start();
  }

  @AfterEach
  void checkTheLog() throws IOException {
    assertThat(log.stop()).as("what was logged (%s)", log).doesNotContain(SECRET);
  }

  private static String urlWithPassword(String database) {
    return Fixture.urlOf(testDb, database) + "?user=" + USER + "&password=" + SECRET;
  }

  private static String text(Throwable e) {
    StringWriter out = new StringWriter();
    e.printStackTrace(new PrintWriter(out));
    return out.toString();
  }

  @Test
  void aFailedConnectDoesNotShowThePassword() {
    Throwable e =
        catchThrowable(
            () ->
                Database.builder()
                    .url(urlWithPassword("no_such_database"))
                    .connectionTimeout(Duration.ofSeconds(5))
                    .build());
    assertThat(e).isInstanceOf(TxException.class).hasMessageContaining("no_such_database");
    assertThat(text(e)).doesNotContain(SECRET);
  }

  @Test
  void aFailedConnectWithUserInfoInTheUrlDoesNotShowThePassword() {
    String url = Fixture.scheme() + USER + ":" + SECRET + "@127.0.0.1:1/app";
    Throwable e =
        catchThrowable(
            () -> Database.builder().url(url).connectionTimeout(Duration.ofSeconds(1)).build());
    assertThat(e)
        .isInstanceOf(TxException.class)
        .hasMessageContaining(Fixture.scheme() + "127.0.0.1:1/app");
    assertThat(text(e)).doesNotContain(SECRET);
  }

  @Test
  void thePasswordInTheUrlIsUsedButNeverShown() {
    try (Database db =
        Database.builder()
            .url(urlWithPassword(testDb.database()))
            .poolSize(1)
            .connectionTimeout(Duration.ofMillis(500))
            .leakThreshold(Duration.ofMillis(50))
            .listener(new TxListener() {})
            .build()) {
      assertThat(db.toString()).doesNotContain(SECRET);
      assertThat(db.dataSource().toString()).doesNotContain(SECRET);
      Throwable failed =
          catchThrowable(() -> db.useTx(tx -> tx.update("insert into no_such_table values (1)")));
      assertThat(failed).isInstanceOf(StatementException.class);
      assertThat(text(failed)).doesNotContain(SECRET);
    }
  }

  @Test
  void leakAndPoolExhaustionReportsDoNotShowThePassword() throws Exception {
    List<String> reports = new CopyOnWriteArrayList<>();
    CountDownLatch leaked = new CountDownLatch(1);
    TxListener listener =
        new TxListener() {
          @Override
          public void onLeak(LeakReport report) {
            reports.add(report.describe());
            leaked.countDown();
          }

          @Override
          public void onPoolExhausted(PoolExhaustedException error) {
            reports.add(text(error));
          }
        };
    URI server = Fixture.address(testDb);
    String url =
        Fixture.scheme()
            + USER
            + ":"
            + SECRET
            + "@"
            + server.getHost()
            + ":"
            + server.getPort()
            + "/"
            + testDb.database();
    try (Database db =
        Database.builder()
            .url(url)
            .poolSize(1)
            .connectionTimeout(Duration.ofMillis(300))
            .leakThreshold(Duration.ofMillis(50))
            .listener(listener)
            .build()) {
      try (TxHandle held = db.begin()) {
        held.tx().query("select 1", rs -> 1);
        assertThat(leaked.await(60, TimeUnit.SECONDS)).as("a leak report within a minute").isTrue();
        Throwable exhausted =
            catchThrowable(
                () ->
                    java.util.concurrent.CompletableFuture.runAsync(
                            () -> db.useTx(tx -> tx.query("select 1", rs -> 1)))
                        .join());
        assertThat(exhausted).hasCauseInstanceOf(PoolExhaustedException.class);
        assertThat(text(exhausted)).doesNotContain(SECRET).contains("held by");
      }
    }
    assertThat(reports)
        .hasSizeGreaterThanOrEqualTo(2)
        .allSatisfy(r -> assertThat(r).doesNotContain(SECRET));
  }

  @Test
  void aPasswordGivenTwiceIsRefusedWithoutShowingEither() {
    assertThatThrownBy(
            () ->
                Database.builder()
                    .url(urlWithPassword(testDb.database()))
                    .password("other-" + SECRET)
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the JDBC URL holds a password and password(...) is set too; give it once");
  }
}
