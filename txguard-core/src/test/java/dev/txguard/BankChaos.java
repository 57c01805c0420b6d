package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.internal.CommitResolutions;
import dev.txguard.internal.CommitResolutions.Outcome;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bank workload of the chaos suite: transfers between accounts at SERIALIZABLE with retries,
 * each with an id of its own written in the same unit (primary key), and a record of what every
 * caller was told. {@link #check} then compares what callers heard with what the database holds:
 * nothing lost (returned normally but absent), nothing applied twice (the id's primary key refuses
 * a second application, which the caller would hear as an error although the first one committed),
 * no lie (threw but present), balances that add up. Thread-safe.
 */
final class BankChaos {
  static final int ACCOUNTS = 20;
  static final long START_BALANCE = 1_000;
  static final String APP = "txguard-chaos-bank";

  /** What a caller was told. */
  enum Told {
    COMMITTED,
    FAILED,
    UNKNOWN
  }

  record Ending(long id, Told told, long atNanos, Throwable error) {}

  final ConcurrentLinkedQueue<Ending> endings = new ConcurrentLinkedQueue<>();
  final AtomicLong progress = new AtomicLong();
  private final Map<Outcome, Long> resolvedBefore = counts();

  /**
   * Creates the tables; COMMIT is made slow (a deferred trigger sleeps) so kills can land in it.
   */
  static void createSchema(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(
          "create table if not exists account (id int primary key, balance bigint not null)");
      st.execute(
          "create table if not exists transfer (id bigint primary key, from_id int not null,"
              + " to_id int not null, amount bigint not null)");
      st.execute("truncate account, transfer");
      st.execute(
          "insert into account select g, "
              + START_BALANCE
              + " from generate_series(1, "
              + ACCOUNTS
              + ") g");
      st.execute(
          "create or replace function chaos_slow_commit() returns trigger language plpgsql as"
              + " $$ begin perform pg_sleep(random() * 0.005); return null; end $$");
      st.execute("drop trigger if exists chaos_slow_commit on transfer");
      st.execute(
          "create constraint trigger chaos_slow_commit after insert on transfer deferrable initially"
              + " deferred for each row execute function chaos_slow_commit()");
    }
  }

  static TxOptions options() {
    return TxOptions.defaults()
        .name("transfer")
        .isolation(Isolation.SERIALIZABLE)
        .maxAttempts(200)
        .backoff(Duration.ofMillis(1), Duration.ofMillis(100));
  }

  /** One transfer, told to the record. */
  void transfer(Database db, long id) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    int from = 1 + r.nextInt(ACCOUNTS);
    int to = 1 + (from + r.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
    long amount = 1 + r.nextInt(50);
    try {
      db.useTx(
          options(),
          tx -> {
            tx.queryOne("select balance from account where id = ?", rs -> rs.getLong(1), from);
            tx.update("update account set balance = balance - ? where id = ?", amount, from);
            tx.update("update account set balance = balance + ? where id = ?", amount, to);
            tx.update(
                "insert into transfer (id, from_id, to_id, amount) values (?, ?, ?, ?)",
                id,
                from,
                to,
                amount);
          });
      endings.add(new Ending(id, Told.COMMITTED, System.nanoTime(), null));
    } catch (CommitOutcomeUnknownException e) {
      endings.add(new Ending(id, Told.UNKNOWN, System.nanoTime(), e));
    } catch (RuntimeException e) {
      endings.add(new Ending(id, Told.FAILED, System.nanoTime(), e));
    }
    progress.incrementAndGet();
  }

  /** Runs {@code count} transfers on {@code threads} threads; returns when all have ended. */
  void run(Database db, int threads, int count) throws InterruptedException {
    AtomicLong next = new AtomicLong();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(
          Thread.ofPlatform()
              .name("chaos-bank-" + t)
              .start(
                  () -> {
                    for (long id = next.incrementAndGet();
                        id <= count;
                        id = next.incrementAndGet()) {
                      transfer(db, id);
                    }
                  }));
    }
    for (Thread w : workers) {
      w.join();
    }
  }

  /** What the database and the callers say, checked; returns the figures. */
  Figures check(Connection c) throws SQLException {
    Set<Long> present = new HashSet<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select id from transfer")) {
      while (rs.next()) {
        present.add(rs.getLong(1));
      }
    }
    Figures f = new Figures();
    for (Ending e : endings) {
      f.told.merge(e.told(), 1L, Long::sum);
      boolean there = present.contains(e.id());
      if (e.told() == Told.COMMITTED && !there) {
        f.lost.add(e.id());
      }
      if (e.told() == Told.FAILED && there) {
        f.lies.add(e.id() + ": " + e.error());
      }
      if (e.told() != Told.COMMITTED) {
        f.failureKinds.merge(kind(e.error()), 1L, Long::sum);
      }
      if (e.told() == Told.FAILED && String.valueOf(e.error()).contains("23505")) {
        f.doubled.add(e.id() + ": " + e.error());
      }
    }
    f.rows = present.size();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "select sum(balance),"
                    + " (select count(*) from account a where a.balance <> "
                    + START_BALANCE
                    + " - coalesce((select sum(amount) from transfer where from_id = a.id), 0)"
                    + " + coalesce((select sum(amount) from transfer where to_id = a.id), 0)) from account")) {
      rs.next();
      f.total = rs.getLong(1);
      f.accountsOff = rs.getLong(2);
    }
    Map<Outcome, Long> now = counts();
    for (Outcome o : Outcome.values()) {
      f.resolved.put(o, now.get(o) - resolvedBefore.get(o));
    }
    return f;
  }

  /**
   * The exception's class, and its root cause's class and SQLSTATE: what a caller would branch on.
   */
  private static String kind(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String state = root instanceof SQLException s ? " " + s.getSQLState() : "";
    return error.getClass().getSimpleName()
        + (root == error ? "" : " <- " + root.getClass().getSimpleName() + state);
  }

  private static Map<Outcome, Long> counts() {
    Map<Outcome, Long> m = new EnumMap<>(Outcome.class);
    for (Outcome o : Outcome.values()) {
      m.put(o, CommitResolutions.count(o));
    }
    return m;
  }

  /** The figures of one run. */
  static final class Figures {
    final Map<Told, Long> told = new EnumMap<>(Told.class);
    final Map<Outcome, Long> resolved = new EnumMap<>(Outcome.class);
    final List<Long> lost = new ArrayList<>();
    final List<String> lies = new ArrayList<>();
    final List<String> doubled = new ArrayList<>();
    final Map<String, Long> failureKinds = new java.util.TreeMap<>();
    long rows;
    long total;
    long accountsOff;

    /** Nothing lost, nothing applied twice, no lie, money conserved. */
    void assertTruthful(int units) {
      assertThat(told.values().stream().mapToLong(Long::longValue).sum())
          .as("units that ended")
          .isEqualTo(units);
      assertThat(lost).as("returned normally but not committed").isEmpty();
      assertThat(lies).as("threw but committed").isEmpty();
      assertThat(doubled).as("applied twice (a retry hit the id of a committed attempt)").isEmpty();
      assertThat(rows)
          .as("transfer rows = units told committed + units told unknown that did commit")
          .isBetween(
              told.getOrDefault(Told.COMMITTED, 0L),
              told.getOrDefault(Told.COMMITTED, 0L) + told.getOrDefault(Told.UNKNOWN, 0L));
      assertThat(total).as("money in the bank").isEqualTo(ACCOUNTS * START_BALANCE);
      assertThat(accountsOff).as("accounts whose balance disagrees with their transfers").isZero();
    }

    String line() {
      return "units "
          + told.values().stream().mapToLong(Long::longValue).sum()
          + " (told committed "
          + told.getOrDefault(Told.COMMITTED, 0L)
          + ", failed "
          + told.getOrDefault(Told.FAILED, 0L)
          + ", unknown "
          + told.getOrDefault(Told.UNKNOWN, 0L)
          + "); lost COMMITs resolved as committed "
          + resolved.get(Outcome.COMMITTED)
          + " / not committed "
          + resolved.get(Outcome.NOT_COMMITTED)
          + " / unknown "
          + resolved.get(Outcome.UNKNOWN)
          + " / wrote nothing "
          + resolved.get(Outcome.NOT_NEEDED)
          + "; lost "
          + lost.size()
          + ", applied twice "
          + doubled.size()
          + ", lies "
          + lies.size()
          + (failureKinds.isEmpty() ? "" : "; failures told: " + failureKinds);
    }
  }
}
