package dev.txguard.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The queue's planner settings (plan_lookups.sql) stay out of a transactional handler's unit and a
 * call's enqueue unit, to their ends: a deferred constraint trigger of the handler's table runs at
 * the unit's COMMIT, after the job's completion, and sees the server's own settings. When the
 * settings went with the completion, the trigger ran with sequential scans and hash joins off, and
 * a PL/pgSQL function planned there kept that plan for the session (break-it brk13, finding 2). A
 * call's enqueue unit marks its new job with mark_call.sql, which went with the settings too, so a
 * deferred trigger on the job table's INSERT ran under them (brk13b, finding 2).
 */
@TxguardTest(queue = false)
class HandlerUnitSettingsIT {
  @Injected static TestDatabase pg;

  record Order(int n) {}

  @Test
  void aDeferredTriggerOfTheHandlersTableRunsWithTheServersSettings() throws Exception {
    pg.execute(
        "create table settings_order (n int not null);"
            + " create table settings_seen (n int not null, seqscan text, hashjoin text);"
            + " create function settings_note() returns trigger language plpgsql as $$"
            + " begin insert into settings_seen values (new.n, current_setting('enable_seqscan'),"
            + " current_setting('enable_hashjoin')); return null; end $$;"
            + " create constraint trigger settings_at_commit after insert on settings_order"
            + " deferrable initially deferred for each row execute function settings_note()");
    Database db = QueueFixture.db(pg, 4);
    AtomicLong handled = new AtomicLong();
    JobQueue queue =
        QueueFixture.builder(pg, db, "handler_settings")
            .handleInTx(
                "order",
                Order.class,
                (tx, job) -> {
                  tx.update("insert into settings_order values (?)", job.args().n());
                  handled.incrementAndGet();
                  return null;
                })
            .queue("default", 2)
            .build();
    QueueFixture.start(queue);
    try {
      for (int i = 0; i < 5; i++) {
        queue.enqueue(new Order(i));
      }
      QueueFixture.awaitProgress("orders handled", handled::get, 5);
      QueueFixture.await(
          "5 orders committed", () -> pg.queryLong("select count(*) from settings_seen") == 5);
    } finally {
      QueueFixture.stop(queue, db);
    }
    List<String> seen =
        pg.query("select n || ' ' || seqscan || ' ' || hashjoin from settings_seen").stream()
            .map(row -> (String) row.get(0))
            .toList();
    assertThat(seen)
        .as("what each deferred trigger saw at its unit's COMMIT")
        .hasSize(5)
        .allSatisfy(s -> assertThat(s).endsWith(" on on"));
  }

  @Test
  void aDeferredTriggerOnACalledJobsInsertRunsWithTheServersSettings() throws Exception {
    Database db = QueueFixture.db(pg, 4);
    JobQueue queue =
        QueueFixture.builder(pg, db, "call_settings")
            .handle("order", Order.class, job -> job.args().n())
            .queue("default", 2)
            .build();
    QueueFixture.start(queue);
    pg.execute(
        "create table call_seen (seqscan text, hashjoin text);"
            + " create function call_note() returns trigger language plpgsql as $$"
            + " begin insert into call_seen values (current_setting('enable_seqscan'),"
            + " current_setting('enable_hashjoin')); return null; end $$;"
            + " create constraint trigger call_at_commit after insert on call_settings.job"
            + " deferrable initially deferred for each row execute function call_note()");
    try {
      for (int i = 0; i < 3; i++) {
        assertThat(queue.call(new Order(i), Integer.class, java.time.Duration.ofSeconds(60)))
            .isEqualTo(i);
      }
    } finally {
      QueueFixture.stop(queue, db);
    }
    List<String> seen =
        pg.query("select seqscan || ' ' || hashjoin from call_seen").stream()
            .map(row -> (String) row.get(0))
            .toList();
    assertThat(seen)
        .as("what the trigger of each called job's INSERT saw at its unit's COMMIT")
        .containsExactly("on on", "on on", "on on");
  }
}
