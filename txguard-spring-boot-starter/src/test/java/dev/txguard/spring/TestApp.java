package dev.txguard.spring;

import dev.txguard.Transactions;
import dev.txguard.Tx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** A small application as users write them: JdbcTemplate services with @Transactional methods. */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({
  TestApp.Notes.class,
  TestApp.Inner.class,
  TestApp.Counter.class,
  TestApp.LeakRecorder.class
})
public class TestApp {
  /** Tables of the tests; run on the test database before the context starts. */
  static final String[] SCHEMA = {
    "create table note(id serial primary key, text text not null unique, txid bigint)",
    "create table counter(id int primary key, value int not null)",
    "insert into counter values (1, 0)"
  };

  /** Writes notes; the outermost methods of the tests. */
  @Service
  public static class Notes {
    final JdbcTemplate jdbc;
    final Inner inner;
    final List<String> afterCommit = new CopyOnWriteArrayList<>();

    /** What the after-commit synchronizations saw (a method: tests hold the proxy). */
    public List<String> afterCommit() {
      return afterCommit;
    }

    public Notes(JdbcTemplate jdbc, Inner inner) {
      this.jdbc = jdbc;
      this.inner = inner;
    }

    void add(String text) {
      jdbc.update("insert into note(text, txid) values (?, txid_current())", text);
    }

    @Transactional
    public void outerThenNew(String text, int depth, boolean failAfter) {
      add(text);
      inner.requiresNew(text, depth);
      if (failAfter) {
        throw new IllegalStateException("outer fails after its REQUIRES_NEW committed");
      }
    }

    /** Swallows the unique violation of its second insert and returns normally. */
    @Transactional
    public void swallowDuplicate(String text) {
      add(text);
      try {
        add(text);
      } catch (DataIntegrityViolationException expected) {
        // what the test is about: the error is swallowed, the method returns normally
      }
    }

    @Transactional
    public void withAfterCommit(String text, boolean fail) {
      add(text);
      TransactionSynchronizationManager.registerSynchronization(
          new TransactionSynchronization() {
            @Override
            public void afterCommit() {
              // outside the unit: the note must be visible (committed) to a new connection
              Integer seen =
                  jdbc.queryForObject(
                      "select count(*) from note where text = ?", Integer.class, text);
              afterCommit.add(text + ":" + seen + ":" + Transactions.current().isPresent());
            }
          });
      if (fail) {
        throw new IllegalStateException("fails after registering the synchronization");
      }
    }

    /**
     * Returns the unit's transaction id as JdbcTemplate sees it and as the unit's own connection
     * does.
     */
    @Transactional
    public long[] txids() {
      Tx tx = Transactions.current().orElseThrow();
      long viaTx = tx.queryOne("select txid_current()", rs -> rs.getLong(1)).orElseThrow();
      Long viaJdbc = jdbc.queryForObject("select txid_current()", Long.class);
      return new long[] {viaTx, viaJdbc};
    }

    @Transactional(isolation = Isolation.SERIALIZABLE, readOnly = true, timeout = 7)
    public List<String> settings() {
      return List.of(
          jdbc.queryForObject("show transaction_isolation", String.class),
          jdbc.queryForObject("show transaction_read_only", String.class),
          jdbc.queryForObject("show statement_timeout", String.class));
    }

    @Transactional(timeout = 1)
    public void sleepPastDeadline() {
      jdbc.queryForObject("select pg_sleep(5)", Object.class);
    }

    @Transactional
    public void outerThenNested(String text) {
      add(text);
      try {
        inner.nestedThatFails(text + "-nested");
      } catch (IllegalStateException expected) {
        // the savepoint rolled back; the outer unit goes on
      }
      add(text + "-after");
    }

    /** Stays open until a leak report names this unit, at most 30 s; returns the report. */
    @Transactional
    public java.util.Optional<dev.txguard.LeakReport> holdUntilReported(LeakRecorder leaks)
        throws InterruptedException {
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline) {
        java.util.Optional<dev.txguard.LeakReport> r =
            leaks.reports().stream()
                .filter(l -> l.name().endsWith("holdUntilReported"))
                .findFirst();
        if (r.isPresent()) {
          return r;
        }
        Thread.sleep(20);
      }
      return java.util.Optional.empty();
    }

    @Transactional
    public void callsRetriedInside() {
      add("before-retried");
      inner.retried();
    }
  }

  /** Called through its proxy from Notes. */
  @Service
  public static class Inner {
    final JdbcTemplate jdbc;

    public Inner(JdbcTemplate jdbc) {
      this.jdbc = jdbc;
    }

    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public void requiresNew(String text, int depth) {
      jdbc.update("insert into note(text, txid) values (?, txid_current())", text + "-new" + depth);
      if (depth > 1) {
        self().requiresNew(text, depth - 1);
      }
    }

    private Inner self;

    @org.springframework.beans.factory.annotation.Autowired
    void setSelf(@org.springframework.context.annotation.Lazy Inner self) {
      this.self = self;
    }

    Inner self() {
      return self;
    }

    @Transactional(propagation = Propagation.NESTED)
    public void nestedThatFails(String text) {
      jdbc.update("insert into note(text) values (?)", text);
      throw new IllegalStateException("nested fails");
    }

    @TxRetry
    @Transactional
    public void retried() {
      jdbc.update("insert into note(text) values ('retried')");
    }
  }

  /** Conflicting SERIALIZABLE increments, retried whole by @TxRetry. */
  @Service
  public static class Counter {
    final JdbcTemplate jdbc;
    final AtomicInteger attempts = new AtomicInteger();
    final AtomicInteger committed = new AtomicInteger();

    public Counter(JdbcTemplate jdbc) {
      this.jdbc = jdbc;
    }

    private volatile java.util.concurrent.Callable<Void> gate = () -> null;

    /** Runs inside every attempt between the read and the write (the test's rendezvous). */
    public void gate(java.util.concurrent.Callable<Void> gate) {
      this.gate = gate;
    }

    public int attempts() {
      return attempts.get();
    }

    public int committed() {
      return committed.get();
    }

    @TxRetry(maxAttempts = 100)
    @Transactional(isolation = Isolation.SERIALIZABLE)
    public void increment() throws Exception {
      attempts.incrementAndGet();
      int value = jdbc.queryForObject("select value from counter where id = 1", Integer.class);
      gate.call();
      jdbc.update("update counter set value = ? where id = 1", value + 1);
      TransactionSynchronizationManager.registerSynchronization(
          new TransactionSynchronization() {
            @Override
            public void afterCommit() {
              committed.incrementAndGet();
            }
          });
    }
  }

  /** A TxListener bean: the auto-configured Database reports to it. */
  public static class LeakRecorder implements dev.txguard.TxListener {
    private final List<dev.txguard.LeakReport> reports = new CopyOnWriteArrayList<>();

    @Override
    public void onLeak(dev.txguard.LeakReport report) {
      reports.add(report);
    }

    public List<dev.txguard.LeakReport> reports() {
      return reports;
    }
  }
}
