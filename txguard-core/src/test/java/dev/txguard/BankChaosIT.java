package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.test.FaultProxy;
import dev.txguard.test.PostgresExtension;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The chaos suite's bank part (issue 14): transfers at SERIALIZABLE with retries while (a) backends
 * are killed at random ({@code pg_terminate_backend}, preferring backends that are in COMMIT) and
 * COMMITs or their replies are lost on the wire, and (c) the server is stopped and started again on
 * the same data directory. Every caller must have been told the truth (see {@link BankChaos}), and
 * {@code CommitOutcomeUnknownException} may appear only while the server was unreachable.
 *
 * <p>Reduced size by default (part of {@code mvn -B verify}); the full size with {@code
 * -Dtxguard.chaos.full=true}. Prints its figures. Waits are bounded by progress.
 */
@PostgresOnly(
    "kills backends with pg_terminate_backend, cuts COMMITs with the PostgreSQL-protocol FaultProxy and restarts the embedded PostgreSQL; resolving lost COMMITs is PostgreSQL-only")
class BankChaosIT {
  static final boolean FULL = Boolean.getBoolean("txguard.chaos.full");
  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  @Test
  void bankInvariantHoldsWithBackendsKilledIncludingDuringCommit() throws Exception {
    int units = FULL ? 5_000 : 600;
    try (Connection admin = pg.connect();
        FaultProxy proxy = new FaultProxy(pg.server())) {
      BankChaos.createSchema(admin);
      BankChaos bank = new BankChaos();
      Killer killer = new Killer(pg::connect);
      try (Database db =
          Database.builder()
              .url(proxy.jdbcUrl(pg.database()) + "&ApplicationName=" + BankChaos.APP)
              .user(pg.user())
              .password(pg.password())
              .connectionTimeout(Duration.ofSeconds(10))
              .poolSize(8)
              .build()) {
        proxy.cutCommitsAtRandom(0.01, 0.01); // after build: the pool's first connections must open
        killer.start();
        bank.run(db, FULL ? 8 : 4, units);
      } finally {
        killer.stop();
      }
      BankChaos.Figures f = bank.check(admin);
      System.out.println(
          "chaos (a) bank, backends killed: "
              + f.line()
              + "; kills "
              + killer.kills
              + " ("
              + killer.inCommit
              + " during COMMIT), COMMITs cut on the wire "
              + proxy.cuts());
      f.assertTruthful(units);
      assertThat(f.told.getOrDefault(BankChaos.Told.UNKNOWN, 0L))
          .as("CommitOutcomeUnknownException while the server stayed reachable")
          .isZero();
      assertThat(killer.kills.get()).as("backends killed").isPositive();
    }
  }

  @Test
  void bankInvariantHoldsAcrossServerRestarts() throws Exception {
    Assumptions.assumeTrue(
        pg.server().embedded(),
        "the server-restart part of the chaos suite needs the embedded"
            + " server: TXGUARD_TEST_URL points at an external one, which this suite does not restart");
    int units = FULL ? 5_000 : 500;
    int restarts = FULL ? 3 : 1;
    Path dir = Files.createTempDirectory("txguard-chaos-pg");
    int port = freePort();
    Restartable server = new Restartable(dir, port);
    String url = "jdbc:postgresql://localhost:" + port + "/postgres";
    try {
      server.start();
      try (Connection admin = DriverManager.getConnection(url, "postgres", "")) {
        BankChaos.createSchema(admin);
      }
      BankChaos bank = new BankChaos();
      try (Database db =
          Database.builder()
              .url(url + "?ApplicationName=" + BankChaos.APP)
              .user("postgres")
              .connectionTimeout(Duration.ofSeconds(15))
              .poolSize(6)
              .build()) {
        Thread load =
            Thread.ofPlatform()
                .start(
                    () -> {
                      try {
                        bank.run(db, 4, units);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    });
        for (int r = 1; r <= restarts; r++) {
          awaitProgress(bank, (long) units * r / (restarts + 1), load);
          server.restart();
        }
        load.join();
      }
      BankChaos.Figures f;
      try (Connection admin = DriverManager.getConnection(url, "postgres", "")) {
        f = bank.check(admin);
      }
      long unknownOutsideDowntime =
          bank.endings.stream()
              .filter(e -> e.told() == BankChaos.Told.UNKNOWN)
              .filter(
                  e ->
                      e.atNanos() < server.firstDown
                          || !String.valueOf(e.error().getMessage()).contains("connecting failed"))
              .count();
      System.out.println(
          "chaos (c) bank, server restarted "
              + restarts
              + " times (down "
              + server.downMs
              + " ms in all): "
              + f.line());
      f.assertTruthful(units);
      assertThat(unknownOutsideDowntime)
          .as("CommitOutcomeUnknownException not explained by the server being down")
          .isZero();
    } finally {
      server.stop();
      deleteTree(dir);
    }
  }

  /** Waits until {@code target} transfers ended, failing only when none ends for 60 s. */
  static void awaitProgress(BankChaos bank, long target, Thread load) throws InterruptedException {
    long last = -1;
    long lastChange = System.nanoTime();
    while (bank.progress.get() < target && load.isAlive()) {
      long now = bank.progress.get();
      if (now != last) {
        last = now;
        lastChange = System.nanoTime();
      } else if (System.nanoTime() - lastChange > Duration.ofSeconds(60).toNanos()) {
        throw new AssertionError("no transfer ended for 60 s; stuck at " + now + " of " + target);
      }
      Thread.sleep(20);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /**
   * Kills a random backend of the workload (connected for at least 1 s) every 20-100 ms, one in
   * COMMIT when there is one.
   */
  static final class Killer {
    interface Connector {
      Connection connect() throws SQLException;
    }

    final AtomicLong kills = new AtomicLong();
    final AtomicLong inCommit = new AtomicLong();
    private final Connector connector;
    private final AtomicBoolean stop = new AtomicBoolean();
    private Thread thread;

    Killer(Connector connector) {
      this.connector = connector;
    }

    void start() {
      thread = Thread.ofPlatform().name("chaos-killer").start(this::loop);
    }

    private void loop() {
      try (Connection c = connector.connect();
          Statement st = c.createStatement()) {
        while (!stop.get()) {
          Thread.sleep(ThreadLocalRandom.current().nextLong(20, 100));
          try (ResultSet rs =
              st.executeQuery(
                  "select pg_terminate_backend(pid), in_commit from (select pid,"
                      + " state = 'active' and query = 'COMMIT' as in_commit from pg_stat_activity where application_name = '"
                      + BankChaos.APP
                      + "' and pid <> pg_backend_pid()"
                      // a backend gets 1 s to finish connecting: on a loaded machine a pool's new
                      // connections took longer than the 20-100 ms between kills, every one was
                      // killed during its setup, and the workload starved (seen twice in session 5)
                      + " and backend_start < now() - interval '1 second'"
                      + " order by 2 desc, random() limit 1) k")) {
            if (rs.next() && rs.getBoolean(1)) {
              kills.incrementAndGet();
              if (rs.getBoolean(2)) {
                inCommit.incrementAndGet();
              }
            }
          }
        }
      } catch (SQLException | InterruptedException e) {
        throw new IllegalStateException("the chaos killer stopped: " + e, e);
      }
    }

    void stop() throws InterruptedException {
      stop.set(true);
      if (thread != null) {
        thread.join();
      }
    }
  }

  /**
   * An embedded server of this test's own, stopped and started again on the same data directory.
   */
  static final class Restartable {
    private final Path dir;
    private final int port;
    private EmbeddedPostgres pg;
    long firstDown = Long.MAX_VALUE;
    long downMs;

    Restartable(Path dir, int port) {
      this.dir = dir;
      this.port = port;
    }

    void start() throws IOException {
      pg =
          EmbeddedPostgres.builder()
              .setDataDirectory(dir)
              .setCleanDataDirectory(false)
              .setPort(port)
              .setRegisterShutdownHook(false)
              .setServerConfig("max_connections", "60")
              .setPGStartupWait(Duration.ofSeconds(60))
              .start();
    }

    void restart() throws IOException {
      long down = System.nanoTime();
      firstDown = Math.min(firstDown, down);
      stop();
      start();
      downMs += (System.nanoTime() - down) / 1_000_000;
    }

    void stop() throws IOException {
      if (pg != null) {
        pg.close();
        pg = null;
      }
    }
  }
}
