package dev.txguard.cli.internal;

import com.zaxxer.hikari.HikariDataSource;
import dev.txguard.Database;
import dev.txguard.LeakReport;
import dev.txguard.PoolExhaustedException;
import dev.txguard.PoolStats;
import dev.txguard.TxHandle;
import dev.txguard.TxListener;
import dev.txguard.TxOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Story 3: a request handler begins a transaction, finds its record deleted and returns early with
 * neither commit nor rollback. Naive (plain JDBC on a plain pool): each early return keeps its
 * connection in an open transaction; once the pool runs dry every later request times out waiting
 * for a connection. With txguard: the handler's {@link TxHandle} is closed by try-with-resources,
 * which rolls back; and a handle the code forgets entirely is reported as a leak with the stack
 * that opened it and ended by its unit's timeout, so the pool never runs dry.
 */
final class LeakedTxStory implements Story {
  static final int RECORDS = 60;
  static final int REQUESTS = 40;
  static final int POOL_SIZE = 4;
  static final int CLIENTS = 4;
  private static final double DELETED_RATE = 0.25;

  /**
   * HikariCP's floor: a naive request gives up on a connection after this long. The naive early
   * returns never give their connections back, so no wait would be long enough; a short one keeps
   * the story quick.
   */
  private static final Duration CONNECTION_WAIT = Duration.ofMillis(250);

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

  /**
   * A txguard request waits for a connection as long as it may run: every connection comes back
   * (the forgotten handle's at its timeout), so only one that is never given back, the fault this
   * story is about, makes a request time out, not a machine slowed by other work (250 ms is the
   * time of a few statements on a machine loaded by other builds).
   */
  private static final Duration TXGUARD_CONNECTION_WAIT = REQUEST_TIMEOUT;

  private static final Duration FORGOTTEN_UNIT_TIMEOUT = Duration.ofMillis(600);

  /**
   * How long the story waits for the forgotten handle's connection to come back after its timeout
   * before counting it as held: long enough for a loaded machine, short of the story's limit.
   */
  private static final Duration FORGOTTEN_UNIT_GRACE = Duration.ofSeconds(20);

  private static final Duration LEAK_THRESHOLD = Duration.ofMillis(200);
  private static final TxOptions REQUEST =
      TxOptions.defaults().name("load-record").timeout(REQUEST_TIMEOUT);

  @Override
  public int number() {
    return 3;
  }

  @Override
  public String id() {
    return "leaked-tx";
  }

  @Override
  public String title() {
    return "The transaction that never ended";
  }

  @Override
  public String description() {
    return "Serves "
        + REQUESTS
        + " requests from "
        + CLIENTS
        + " clients with a pool of "
        + POOL_SIZE
        + "; about "
        + Math.round(DELETED_RATE * 100)
        + "% of the "
        + RECORDS
        + " records are deleted (at least "
        + POOL_SIZE
        + "), and at least "
        + POOL_SIZE
        + " of the first "
        + REQUESTS / 2
        + " requests ask for a deleted"
        + " record and return early. Counts requests that timed out waiting for a connection and transactions"
        + " left open.";
  }

  /** What one request ended with. */
  enum Result {
    SERVED,
    NOT_FOUND,
    TIMED_OUT
  }

  @Override
  public Measurement run(Variant variant, StoryContext context) throws Exception {
    context.runScript("leaked-tx.sql");
    List<Integer> requests = plan(context);
    return variant == Variant.NAIVE ? runNaive(context, requests) : runTxguard(context, requests);
  }

  /**
   * Creates the records, deletes some, and draws the requests' record ids (same for both variants).
   */
  private static List<Integer> plan(StoryContext context) throws SQLException {
    Plan plan = Plan.draw(context.random());
    try (Connection c = context.connect()) {
      // one insert per record: the same SQL on PostgreSQL and MariaDB (which has no
      // generate_series)
      for (int id = 1; id <= RECORDS; id++) {
        Jdbc.update(c, "insert into lt_record (id, payload) values (?, ?)", id, "record " + id);
      }
      for (int id : plan.deleted()) {
        Jdbc.update(c, "delete from lt_record where id = ?", id);
      }
    }
    return plan.requests();
  }

  /**
   * The scenario of one seed: which records are deleted and which record each request asks for.
   * Every seed gives at least {@link #POOL_SIZE} requests for deleted records among the first half,
   * so the naive variant's early returns take every connection while half the requests are still to
   * come: its fault shows in every run, not only in lucky ones.
   */
  record Plan(Set<Integer> deleted, List<Integer> requests) {
    static Plan draw(Random random) {
      Set<Integer> deleted = new TreeSet<>();
      for (int id = 1; id <= RECORDS; id++) {
        if (random.nextDouble() < DELETED_RATE) {
          deleted.add(id);
        }
      }
      while (deleted.size() < POOL_SIZE) {
        deleted.add(1 + random.nextInt(RECORDS));
      }
      List<Integer> requests = new ArrayList<>();
      for (int i = 0; i < REQUESTS; i++) {
        requests.add(1 + random.nextInt(RECORDS));
      }
      List<Integer> deletedIds = List.copyOf(deleted);
      while (earlyReturnsInFirstHalf(deleted, requests) < POOL_SIZE) {
        int at = random.nextInt(REQUESTS / 2);
        if (!deleted.contains(requests.get(at))) {
          requests.set(at, deletedIds.get(random.nextInt(deletedIds.size())));
        }
      }
      return new Plan(Collections.unmodifiableSet(deleted), List.copyOf(requests));
    }

    /** How many of the first half of the requests ask for a deleted record. */
    static long earlyReturnsInFirstHalf(Set<Integer> deleted, List<Integer> requests) {
      return requests.subList(0, REQUESTS / 2).stream().filter(deleted::contains).count();
    }
  }

  /**
   * Runs {@code handler} for every request from {@link #CLIENTS} threads and tallies the results.
   */
  private static List<Result> serve(List<Integer> requests, Handler handler) throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    try {
      List<Future<Result>> futures = new ArrayList<>();
      for (int id : requests) {
        futures.add(clients.submit(() -> handler.handle(id)));
      }
      List<Result> results = new ArrayList<>();
      for (Future<Result> f : futures) {
        results.add(f.get(20, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      clients.shutdownNow();
    }
  }

  @FunctionalInterface
  interface Handler {
    Result handle(int id) throws Exception;
  }

  // ---- naive ------------------------------------------------------------------------------------

  private Measurement runNaive(StoryContext context, List<Integer> requests) throws Exception {
    try (HikariDataSource ds = context.plainPool("leaked-tx", POOL_SIZE, CONNECTION_WAIT, false)) {
      List<Result> results = serve(requests, id -> naiveHandler(ds, id));
      long open = context.openTransactions();
      int held = ds.getHikariPoolMXBean().getActiveConnections();
      return measure(Variant.NAIVE, results, open, held, 0, "", false);
    }
  }

  /** The faulty handler: the early return leaves the transaction and its connection open. */
  private static Result naiveHandler(HikariDataSource ds, int id) throws SQLException {
    Connection c;
    try {
      c = ds.getConnection();
    } catch (SQLTransientConnectionException e) {
      return Result.TIMED_OUT;
    }
    PreparedStatement ps =
        c.prepareStatement("select payload from lt_record where id = ? for update");
    ps.setInt(1, id);
    ResultSet rs = ps.executeQuery();
    if (!rs.next()) {
      return Result.NOT_FOUND; // the bug: neither commit nor rollback, and the connection is kept
    }
    Jdbc.update(c, "update lt_record set hits = hits + 1 where id = ?", id);
    c.commit();
    c.close();
    return Result.SERVED;
  }

  // ---- txguard ----------------------------------------------------------------------------------

  private Measurement runTxguard(StoryContext context, List<Integer> requests) throws Exception {
    List<LeakReport> leaks = Collections.synchronizedList(new ArrayList<>());
    TxListener listener =
        new TxListener() {
          @Override
          public void onLeak(LeakReport report) {
            leaks.add(report);
          }
        };
    try (Database db =
        context
            .database()
            .poolSize(POOL_SIZE)
            .connectionTimeout(TXGUARD_CONNECTION_WAIT)
            .leakThreshold(LEAK_THRESHOLD)
            .listener(listener)
            .build()) {
      // the same mistake once more, with nothing to catch it but txguard: a handle never closed
      forgetfulHandler(db, requests.get(0));
      List<Result> results = serve(requests, id -> txguardHandler(db, id));
      waitForForgottenUnit(db, context);
      long open = context.openTransactions();
      int held = db.poolStats().stream().mapToInt(PoolStats::active).sum();
      String leak = leaks.isEmpty() ? "" : describe(leaks.get(0));
      boolean stackNamesOpener = !leaks.isEmpty() && namesOpener(leaks.get(0));
      return measure(Variant.TXGUARD, results, open, held, leaks.size(), leak, stackNamesOpener);
    }
  }

  /** The same handler with txguard: try-with-resources rolls the early return back. */
  private static Result txguardHandler(Database db, int id) {
    try (TxHandle h = db.begin(REQUEST)) {
      if (h.tx()
          .queryOne(
              "select payload from lt_record where id = ? for update", rs -> rs.getString(1), id)
          .isEmpty()) {
        return Result.NOT_FOUND;
      }
      h.tx().update("update lt_record set hits = hits + 1 where id = ?", id);
      h.commit();
      return Result.SERVED;
    } catch (PoolExhaustedException e) {
      return Result.TIMED_OUT;
    }
  }

  /** The original bug kept as it was, on a txguard handle with a timeout: it is never closed. */
  @SuppressWarnings("resource")
  private static void forgetfulHandler(Database db, int id) {
    TxHandle h = db.begin(REQUEST.name("forgotten-handle").timeout(FORGOTTEN_UNIT_TIMEOUT));
    h.tx().queryOne("select payload from lt_record where id = ?", rs -> rs.getString(1), id);
  }

  /**
   * Waits (at most its timeout plus {@link #FORGOTTEN_UNIT_GRACE}) until the forgotten unit has
   * passed its timeout, given its connection back and its transaction is gone from the server: its
   * connection is aborted at the deadline, and the server's backend of an aborted connection shows
   * its transaction open until it has noticed and exited (a moment, longer on a loaded machine).
   */
  private static void waitForForgottenUnit(Database db, StoryContext context) throws Exception {
    long end =
        System.nanoTime() + FORGOTTEN_UNIT_TIMEOUT.toNanos() + FORGOTTEN_UNIT_GRACE.toNanos();
    while (System.nanoTime() < end
        && (db.poolStats().stream().mapToInt(PoolStats::active).sum() > 0
            || context.openTransactions() > 0)) {
      Thread.sleep(20);
    }
  }

  private static String describe(LeakReport report) {
    String where = report.stack().isEmpty() ? "no stack" : frame(report.stack().get(0));
    return "leak reported: unit '"
        + report.name()
        + "' open "
        + report.age().toMillis()
        + " ms, opened at "
        + where
        + (namesOpener(report) ? "" : " (the stack does not show the handler that opened it)");
  }

  private static String frame(StackTraceElement f) {
    String cls = f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1);
    return cls + "." + f.getMethodName() + "(" + f.getFileName() + ":" + f.getLineNumber() + ")";
  }

  /** Whether the report's stack leads to the handler that forgot the handle. */
  private static boolean namesOpener(LeakReport report) {
    return report.stack().stream().anyMatch(f -> f.getMethodName().equals("forgetfulHandler"));
  }

  private Measurement measure(
      Variant variant,
      List<Result> results,
      long openTx,
      int held,
      int leaks,
      String leak,
      boolean stackNamesOpener) {
    long served = results.stream().filter(r -> r == Result.SERVED).count();
    long notFound = results.stream().filter(r -> r == Result.NOT_FOUND).count();
    long timedOut = results.stream().filter(r -> r == Result.TIMED_OUT).count();
    // the naive fault is what the story is about: requests refused because early returns hold the
    // pool
    boolean fault =
        variant == Variant.NAIVE ? timedOut > 0 : timedOut > 0 || openTx > 0 || held > 0;
    if (variant == Variant.TXGUARD) {
      // the safety net is part of the guarantee: the forgotten handle must be reported, with its
      // opener
      fault = fault || leaks == 0 || !stackNamesOpener;
    }
    String brief = timedOut + " of " + REQUESTS + " timed out, " + openTx + " tx open";
    String detail =
        variant == Variant.NAIVE
            ? Plural.of(notFound, "early return")
                + " kept "
                + Plural.of(openTx, "transaction")
                + " open and "
                + held
                + " of "
                + Plural.of(POOL_SIZE, "connection")
                + "; "
                + timedOut
                + " of "
                + REQUESTS
                + " requests then"
                + " timed out waiting for a connection, "
                + served
                + " served"
            : Plural.of(notFound, "early return")
                + " rolled back; "
                + served
                + " served, "
                + timedOut
                + " timed out, "
                + Plural.of(openTx, "transaction")
                + " open afterwards; the forgotten handle: "
                + (leak.isEmpty() ? "no leak reported" : leak)
                + ", ended by its "
                + FORGOTTEN_UNIT_TIMEOUT.toMillis()
                + " ms timeout";
    return Measurement.collect()
        .put("requests", REQUESTS)
        .put("served", served)
        .put("notFound", notFound)
        .put("timedOutWaitingForConnection", timedOut)
        .put("transactionsLeftOpen", openTx)
        .put("connectionsHeld", held)
        .put("leaksReported", leaks)
        .put("leakStackNamesOpener", stackNamesOpener ? 1 : 0)
        .measured(fault, brief, detail);
  }
}
