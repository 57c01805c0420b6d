package dev.txguard.cli.internal;

import com.zaxxer.hikari.HikariDataSource;
import dev.txguard.Database;
import dev.txguard.StatementException;
import dev.txguard.TxListener;
import dev.txguard.TxOptions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Story 4 in its MariaDB form: a caught deadlock followed by a commit. A transfer debits one
 * account (its first half), updates two shared statistics rows (best effort: an error there is
 * caught and logged), credits another account (its second half) and commits. Two transfers run at
 * once and touch the statistics rows in opposite orders, so one of them gets error 1213.
 *
 * <p>Naive (plain JDBC, autocommit off): InnoDB has rolled back the victim's whole transaction,
 * debit included, but the connection goes on; the credit silently starts a new transaction, and the
 * commit commits the second half alone: money appears from nowhere. With txguard: the caught error
 * aborts the unit (txguard's rule on MariaDB, MARIADB.md), the credit is refused with {@code
 * TransactionAbortedException} naming the deadlock, nothing half-commits, and the unit, its error
 * being a deadlock, is retried as a whole.
 */
final class CaughtDeadlockStory implements Story {
  static final int PAIRS = 10;
  static final int TRANSFERS = 2 * PAIRS;
  static final int AMOUNT = 10;

  /** The accounts' starting total: 40 accounts of 100 (caught-deadlock.mariadb.sql). */
  static final long TOTAL = 40 * 100;

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final TxOptions UNIT =
      TxOptions.defaults().name("transfer").timeout(Duration.ofSeconds(15));

  /** MariaDB's ER_LOCK_DEADLOCK. */
  private static final int DEADLOCK = 1213;

  @Override
  public int number() {
    return 4;
  }

  @Override
  public String id() {
    return "caught-deadlock";
  }

  @Override
  public String title() {
    return "The caught deadlock that commits half a transfer (MariaDB)";
  }

  @Override
  public String description() {
    return "Runs "
        + TRANSFERS
        + " transfers, two at a time, whose best-effort statistics updates deadlock"
        + " (error 1213) and are caught; InnoDB has rolled back the whole transaction, and the next statement"
        + " starts a new one. Counts transfers committed only in half and money created.";
  }

  /** One statement of a transfer, however it reaches the database. */
  @FunctionalInterface
  interface Statements {
    void update(String sql, Object... params) throws Exception;
  }

  /** Runs transfer {@code transfer}, meeting {@code partner} between its statistics updates. */
  @FunctionalInterface
  interface Transfer {
    void run(int transfer, CyclicBarrier partner) throws Exception;
  }

  @Override
  public Measurement run(Variant variant, StoryContext context) throws Exception {
    if (!context.mariaDb()) {
      throw new IllegalStateException(
          "story caught-deadlock is the MariaDB form of story 4 and needs a MariaDB"
              + " server (txguard demo --url jdbc:mariadb://...)");
    }
    context.runScript("caught-deadlock.sql");
    AtomicInteger caught = new AtomicInteger();
    if (variant == Variant.NAIVE) {
      try (HikariDataSource ds = context.plainPool("caught-deadlock", 2, WAIT, false)) {
        runPairs((t, partner) -> naiveTransfer(ds, t, partner, caught));
      }
      return measure(variant, context, caught.get(), 0, "");
    }
    AtomicInteger retries = new AtomicInteger();
    AtomicReference<String> retryCause = new AtomicReference<>("");
    TxListener listener =
        new TxListener() {
          @Override
          public void onRetry(String name, int nextAttempt, Throwable cause, Duration delay) {
            retries.incrementAndGet();
            retryCause.compareAndSet("", DemoServer.firstLine(cause));
          }
        };
    try (Database db = context.database().poolSize(2).listener(listener).build()) {
      runPairs((t, partner) -> txguardTransfer(db, t, partner, caught));
    }
    return measure(variant, context, caught.get(), retries.get(), retryCause.get());
  }

  /**
   * Runs the transfers two at a time, the two of a pair meeting at a barrier between their
   * statistics updates.
   */
  private static void runPairs(Transfer transfer) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int pair = 0; pair < PAIRS; pair++) {
        CyclicBarrier partner = new CyclicBarrier(2);
        List<Future<?>> both = new ArrayList<>();
        for (int side = 0; side < 2; side++) {
          int t = 2 * pair + side;
          both.add(
              pool.submit(
                  () -> {
                    transfer.run(t, partner);
                    return null;
                  }));
        }
        for (Future<?> f : both) {
          f.get(WAIT.toSeconds() * 2, TimeUnit.SECONDS);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * The transfer's statements, shared by both variants: debit and its entry, the statistics rows
   * (in opposite orders for the two transfers of a pair, meeting at {@code partner} when given),
   * whose error {@code onStatsError} decides about, then credit and its entry.
   */
  static void transfer(Statements sql, int t, CyclicBarrier partner, ErrorHandler onStatsError)
      throws Exception {
    int from = 2 * t + 1;
    sql.update("update cd_account set balance = balance - ? where id = ?", AMOUNT, from);
    sql.update(
        "insert into cd_entry (transfer_id, side, account_id) values (?, 'debit', ?)", t, from);
    int firstStat = t % 2 == 0 ? 1 : 2;
    try {
      sql.update("update cd_stat set transfers = transfers + 1 where id = ?", firstStat);
      if (partner != null) {
        partner.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      }
      sql.update("update cd_stat set transfers = transfers + 1 where id = ?", 3 - firstStat);
    } catch (Exception e) {
      onStatsError.handle(e);
    }
    sql.update("update cd_account set balance = balance + ? where id = ?", AMOUNT, from + 1);
    sql.update(
        "insert into cd_entry (transfer_id, side, account_id) values (?, 'credit', ?)",
        t,
        from + 1);
  }

  /** What the transfer's code does with an error of the statistics updates. */
  @FunctionalInterface
  interface ErrorHandler {
    void handle(Exception e) throws Exception;
  }

  /** Naive: catches the statistics' deadlock ("best effort"), goes on and commits. */
  private static void naiveTransfer(
      HikariDataSource ds, int t, CyclicBarrier partner, AtomicInteger caught) throws Exception {
    try (Connection c = ds.getConnection()) {
      transfer(
          (sql, params) -> Jdbc.update(c, sql, params),
          t,
          partner,
          e -> swallowDeadlock(e, caught));
      c.commit();
    }
  }

  /** txguard: the same code in a unit; it meets its partner on the first attempt only. */
  private static void txguardTransfer(
      Database db, int t, CyclicBarrier partner, AtomicInteger caught) throws Exception {
    db.useTx(
        UNIT,
        tx ->
            transfer(
                tx::update,
                t,
                tx.attempt() == 1 ? partner : null,
                e -> swallowDeadlock(e, caught)));
  }

  /** Swallows a deadlock as the original code did; any other error is rethrown. */
  private static void swallowDeadlock(Exception e, AtomicInteger caught) throws Exception {
    if (!(e instanceof SQLException || e instanceof StatementException) || !isDeadlock(e)) {
      throw e;
    }
    caught.incrementAndGet();
  }

  private static boolean isDeadlock(Throwable e) {
    for (Throwable x = e; x != null; x = x.getCause()) {
      if (x instanceof SQLException s && s.getErrorCode() == DEADLOCK) {
        return true;
      }
    }
    return false;
  }

  private Measurement measure(
      Variant variant, StoryContext context, int caught, int retries, String retryCause)
      throws SQLException {
    long whole =
        context.queryLong(
            "select count(*) from (select transfer_id from cd_entry group by transfer_id"
                + " having sum(side = 'debit') = 1 and sum(side = 'credit') = 1) w");
    long creditOnly =
        context.queryLong(
            "select count(*) from (select transfer_id from cd_entry group by transfer_id"
                + " having sum(side = 'debit') = 0) c");
    long created = context.queryLong("select sum(balance) from cd_account") - TOTAL;
    boolean fault =
        creditOnly > 0 || created != 0 || (variant == Variant.TXGUARD && whole != TRANSFERS);
    String brief = creditOnly + " half-committed, " + created + " created";
    String detail =
        variant == Variant.NAIVE
            ? Plural.of(caught, "deadlock")
                + " (error 1213) caught and logged; the commit after each committed only"
                + " the transfer's second half: "
                + Plural.of(creditOnly, "transfer")
                + " credited without their debit, "
                + created
                + " units of money created; "
                + whole
                + " of "
                + TRANSFERS
                + " transfers whole"
            : Plural.of(caught, "deadlock")
                + " (error 1213) caught and logged; each aborted its unit"
                + (retryCause.isEmpty() ? "" : " (" + retryCause + ")")
                + " and "
                + retries
                + (retries == 1 ? " retry" : " retries")
                + " ran the transfer again as a whole: "
                + whole
                + " of "
                + TRANSFERS
                + " transfers whole, "
                + creditOnly
                + " half-committed, "
                + created
                + " units of money created";
    return Measurement.collect()
        .put("transfers", TRANSFERS)
        .put("deadlocksCaught", caught)
        .put("retries", retries)
        .put("transfersWhole", whole)
        .put("transfersCreditOnly", creditOnly)
        .put("moneyCreated", created)
        .measured(fault, brief, detail);
  }
}
