package dev.txguard.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.FaultProxy;
import dev.txguard.test.FaultProxy.Sent;
import dev.txguard.test.Progress;
import dev.txguard.test.TestDatabase;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Predicate;

/** Shared helpers for queue integration tests. */
final class QueueFixture {
  private QueueFixture() {}

  /**
   * What plan_lookups.sql's text contains: the claim's, batch's and heartbeat's first statement.
   */
  static final String PLAN_LOOKUPS = "set_config('enable_seqscan', 'off', true)";

  static Database db(TestDatabase pg, int poolSize) {
    return Database.builder()
        .url(pg.url())
        .user(pg.user())
        .password(pg.password())
        .connectionTimeout(Duration.ofSeconds(10))
        .poolSize(poolSize)
        .build();
  }

  /**
   * A database of 4 connections reaching {@code pg} through {@code proxy} (a real TCP proxy that
   * can cut or stall a connection), connecting within {@code connectionTimeout}.
   */
  static Database db(TestDatabase pg, FaultProxy proxy, Duration connectionTimeout) {
    return Database.builder()
        .url(proxy.jdbcUrl(pg.name()))
        .user(pg.user())
        .password(pg.password())
        .connectionTimeout(connectionTimeout)
        .poolSize(4)
        .build();
  }

  /** A queue builder with short intervals, so tests wait little; no timing is asserted. */
  static JobQueue.Builder builder(TestDatabase pg, Database db, String schema) {
    return JobQueue.builder(db)
        .schema(schema)
        .pollInterval(Duration.ofMillis(200))
        .maintenanceInterval(Duration.ofMillis(50))
        .retryBackoff(Duration.ZERO, Duration.ZERO);
  }

  /** Migrates and starts a built queue (the usual class setup). */
  static void start(JobQueue queue) {
    queue.migrate();
    queue.start();
  }

  /** Stops a started queue, waiting at most 10 s for running attempts, and closes its database. */
  static void stop(JobQueue queue, Database db) {
    queue.stop(Duration.ofSeconds(10));
    db.close();
  }

  /**
   * Waits until {@code condition} holds, failing after {@link Progress#STALL}: a liveness check for
   * one step, not a speed assertion.
   */
  static void await(String what, Callable<Boolean> condition) throws Exception {
    Progress.awaitStep(what, condition::call, () -> "the condition still false");
  }

  /** As {@link #await(String, Callable)}; the failure shows {@code state} (how far it got). */
  static void await(String what, Callable<Boolean> condition, Callable<?> state) throws Exception {
    Progress.awaitStep(what, condition::call, state::call);
  }

  /**
   * Waits until {@code count} reaches {@code target}, failing only when it makes no progress for
   * {@link Progress#STALL}: on a loaded machine a long run may take minutes, but a stuck one is
   * caught. The failure says how far it got.
   */
  static void awaitProgress(String what, Callable<Long> count, long target) throws Exception {
    Progress.awaitCount(what, count::call, target);
  }

  /**
   * Each statement a proxy recorded for which {@code statement} holds, with what its connection
   * sent around it: from the BEGIN before it to the connection's next BEGIN (or its end), so that
   * anything sent after its COMMIT (a session reset) counts too; only units that ended (COMMIT or
   * ROLLBACK) are kept. Empty statements are left out: the pool's check of a connection idle for
   * more than half a second before it lends it (HikariCP's, by pgjdbc's {@code isValid}, which
   * sends an empty query) is no statement of the unit before it.
   *
   * @param sent what {@link FaultProxy#sent()} returned: per connection, its statements in order
   */
  static List<List<Sent>> unitsAround(List<List<Sent>> sent, Predicate<String> statement) {
    List<List<Sent>> units = new ArrayList<>();
    for (List<Sent> connection : sent) {
      for (int i = 0; i < connection.size(); i++) {
        if (!statement.test(connection.get(i).sql())) {
          continue;
        }
        int from = i;
        while (from > 0 && !connection.get(from).sql().startsWith("BEGIN")) {
          from--;
        }
        int to = i + 1;
        while (to < connection.size() && !connection.get(to).sql().startsWith("BEGIN")) {
          to++;
        }
        List<Sent> unit =
            connection.subList(from, to).stream().filter(s -> !s.sql().isBlank()).toList();
        if (unit.stream().anyMatch(s -> s.sql().equals("COMMIT") || s.sql().equals("ROLLBACK"))) {
          units.add(unit);
        }
      }
    }
    return units;
  }

  /**
   * Asserts that there is at least one unit and that each sent exactly {@code kinds} (its
   * statements named by {@code kind}) in {@code roundTrips} round trips.
   */
  static void assertEachUnitSent(
      List<List<Sent>> units, Function<String, String> kind, int roundTrips, String... kinds) {
    assertThat(units).as("units that ended").isNotEmpty();
    for (List<Sent> unit : units) {
      assertThat(unit.stream().map(s -> kind.apply(s.sql())).toList())
          .as("what a unit's connection sent from its BEGIN to its next BEGIN: %s", unit)
          .containsExactly(kinds);
      assertThat(unit.stream().map(Sent::roundTrip).distinct().count())
          .as("round trips of the unit: %s", unit)
          .isEqualTo(roundTrips);
    }
  }

  static JobState state(JobQueue queue, long id) {
    return queue.find(id).orElseThrow().state();
  }

  /**
   * Starts {@code main} in a JVM of its own on this test JVM's class path (logging at WARN), its
   * standard error sent to {@code err}; {@code lines} collects what it prints, read on a virtual
   * thread.
   */
  static Process startJvm(
      Class<?> main, ProcessBuilder.Redirect err, List<String> lines, String... args)
      throws IOException {
    String java =
        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                main.getName()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectError(err).start();
    Thread.ofVirtual()
        .start(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                  lines.add(line);
                }
              } catch (IOException e) {
                lines.add("EXCEPTION " + e);
              }
            });
    return p;
  }

  /** A list for {@link #startJvm}'s lines. */
  static List<String> newLines() {
    return new CopyOnWriteArrayList<>();
  }
}
