package dev.txguard.queue.internal;

import dev.txguard.Tx;
import dev.txguard.queue.Enqueued;
import dev.txguard.queue.MissedRuns;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Enqueues the due instants of the declared schedules; run by the maintenance leader. Each schedule
 * is handled in a unit of its own:
 *
 * <ol>
 *   <li>its row in {@code schedule} is created if new (cursor = now) and locked: a second process
 *       that also believes it leads waits, then starts from the cursor the first committed;
 *   <li>instants after the cursor that are more than the schedule's grace old were missed: per its
 *       policy the latest of them is enqueued once (RUN_ONCE) or none is (SKIP);
 *   <li>every other due instant (up to now) is enqueued in order;
 *   <li>the cursor moves to the latest instant handled.
 * </ol>
 *
 * Each instant is first claimed in {@code schedule_run}, whose primary key (schedule, instant) lets
 * it be claimed once across all processes and restarts; its job is enqueued in the same unit only
 * when the claim succeeded. So the job of an instant exists exactly once when the unit commits, and
 * not at all when it rolls back (then the cursor did not move either, and the next round retries).
 */
final class Scheduler {
  /** The most instants one round enqueues per schedule; the rest follow in the next round. */
  static final int MAX_PER_ROUND = 1000;

  private final QueueConfig config;
  private final Sql sql;
  private final Now now;
  private final Producer producer;

  /** Per schedule, its next instant as of its last round (for the maintenance loop's wait). */
  private final Map<String, Instant> next = new ConcurrentHashMap<>();

  Scheduler(QueueConfig config, Sql sql, Now now, Producer producer) {
    this.config = config;
    this.sql = sql;
    this.now = now;
    this.producer = producer;
  }

  /** Handles every schedule once; a schedule whose unit fails is logged and retried next round. */
  void runOnce() {
    for (Periodic p : config.schedules()) {
      try {
        round(p);
      } catch (RuntimeException e) {
        // forget its next instant, which is due: the maintenance loop must not spin on it, but wait
        // its interval before the next try
        next.remove(p.name());
        Events.LOG.warn(
            "schedule '{}' ({}) could not enqueue its due jobs; trying again next round",
            p.name(),
            p.when().definition(),
            e);
      }
    }
  }

  /** The earliest next instant of any schedule, as of the last rounds; empty before the first. */
  Optional<Instant> nextDue() {
    return next.values().stream().min(Instant::compareTo);
  }

  private void round(Periodic p) {
    Instant handled =
        config
            .db()
            .inTx(
                config.txOptions().name("schedule " + p.name()),
                tx -> {
                  tx.update(sql.scheduleCreate, p.name(), p.when().definition(), now.param());
                  Rows.Cursor cursor =
                      tx.queryOne(sql.scheduleLock, Rows.Cursor::read, now.param(), p.name())
                          .orElseThrow();
                  Optional<Instant> first = p.when().nextAfter(cursor.lastAt());
                  if (first.isEmpty()) {
                    return cursor.lastAt();
                  }
                  Instant last = missed(tx, p, cursor, first.get());
                  last = fireDue(tx, p, last, cursor.now());
                  if (!last.equals(cursor.lastAt())) {
                    tx.update(
                        sql.scheduleAdvance,
                        ts(last),
                        now.param(),
                        p.when().definition(),
                        p.name());
                  }
                  return last;
                });
    p.when()
        .nextAfter(handled)
        .ifPresentOrElse(t -> next.put(p.name(), t), () -> next.remove(p.name()));
  }

  /**
   * Handles the instants after the cursor that are more than the grace old (no process led then):
   * the latest of them is enqueued once (RUN_ONCE) or none is (SKIP). Returns the instant handled
   * last: the latest missed one, or the cursor when none was missed.
   */
  private Instant missed(Tx tx, Periodic p, Rows.Cursor cursor, Instant first) {
    Instant horizon = cursor.now().minus(p.when().grace());
    if (!first.isBefore(horizon)) {
      return cursor.lastAt();
    }
    Instant latestMissed =
        p.when()
            .latestAtOrBefore(horizon.minusNanos(1))
            .filter(m -> m.isAfter(cursor.lastAt()))
            .orElse(first);
    boolean runOnce = p.when().missed() == MissedRuns.RUN_ONCE;
    if (runOnce) {
      fire(tx, p, latestMissed);
    }
    Events.LOG.warn(
        "schedule '{}' ({}) missed its instants from {} to {} (no process led then); {}",
        p.name(),
        p.when().definition(),
        first,
        latestMissed,
        runOnce ? "enqueued the latest of them once, late" : "skipped them");
    return latestMissed;
  }

  /**
   * Enqueues, in order, the instants after {@code last} up to {@code current} (at most
   * MAX_PER_ROUND).
   */
  private Instant fireDue(Tx tx, Periodic p, Instant last, Instant current) {
    int n = 0;
    for (Optional<Instant> t = p.when().nextAfter(last);
        t.isPresent() && !t.get().isAfter(current) && n < MAX_PER_ROUND;
        t = p.when().nextAfter(last)) {
      fire(tx, p, t.get());
      last = t.get();
      n++;
    }
    return last;
  }

  /** Claims the instant and, if no one had, enqueues its job in the same unit. */
  private void fire(Tx tx, Periodic p, Instant t) {
    if (tx.queryOne(sql.scheduleRun, rs -> rs.getObject("fire_at"), p.name(), ts(t), now.param())
        .isEmpty()) {
      return; // claimed before, by this or another process: its job exists (or existed) already
    }
    Object args = p.constantArgs() != null ? p.constantArgs() : p.args().apply(t);
    Enqueued job = producer.enqueue(tx, args, p.options().runAt(t));
    tx.update(sql.scheduleRunJob, job.id(), p.name(), ts(t));
  }

  private static OffsetDateTime ts(Instant t) {
    return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
  }
}
