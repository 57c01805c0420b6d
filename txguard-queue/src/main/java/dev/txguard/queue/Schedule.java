package dev.txguard.queue;

import com.cronutils.model.time.ExecutionTime;
import dev.txguard.queue.internal.CronExpressions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Objects;
import java.util.Optional;

/**
 * When a periodic job is enqueued: a cron expression in a time zone, or a fixed interval. Immutable
 * and thread-safe; declared with {@link JobQueue.Builder#schedule(String, Schedule, Object)}.
 *
 * <pre>{@code
 * Schedule.cron("0 3 * * *", ZoneId.of("Europe/Berlin"))   // 03:00 Berlin time, every day
 * Schedule.cron("0/10 * * * * *")                         // every 10 seconds (6 fields: seconds first), UTC
 * Schedule.every(Duration.ofMinutes(15))                    // :00, :15, :30, :45 of every hour (UTC)
 *     .missed(MissedRuns.SKIP).grace(Duration.ofMinutes(2))
 * }</pre>
 *
 * <p><b>Cron</b> expressions are parsed by cron-utils: five fields (minute, hour, day of month,
 * month, day of week — the Unix form) or six (second first — the Spring form, which also takes
 * {@code ?}, {@code L}, {@code W} and {@code #}). Instants are computed in the schedule's time
 * zone, so daylight-saving changes move them as a wall clock would: {@code 0 9 * * *} in
 * Europe/Berlin fires at 08:00 UTC in winter and 07:00 UTC in summer. A wall-clock time that does
 * not exist on a day (inside the hour skipped when clocks go forward) does not fire that day; one
 * that occurs twice (clocks go back) fires once, at its first occurrence; expressions firing every
 * hour or more often fire at every instant of real time that matches, so an hourly schedule fires
 * 23 or 25 times on those days.
 *
 * <p><b>Intervals</b> fire at {@code anchor + n × interval} (anchor default 1970-01-01T00:00Z), the
 * same instants in every process, which is what lets the database deduplicate them.
 *
 * <p><b>Missed runs.</b> The maintenance leader enqueues due instants at each maintenance round
 * (and wakes for the next instant when it comes sooner). An instant found up to {@link
 * #grace(Duration) grace} late (default 1 minute) is enqueued as usual; older ones were missed and
 * follow {@link #missed(MissedRuns)} (default {@link MissedRuns#RUN_ONCE}).
 */
public final class Schedule {
  /** The shortest interval. */
  public static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

  /** The longest interval, and the longest grace. */
  public static final Duration MAX_INTERVAL = Duration.ofDays(366);

  private final String cron;
  private final ZoneId zone;
  private final ExecutionTime execution;
  private final Duration interval;
  private final Instant anchor;
  private final MissedRuns missed;
  private final Duration grace;

  private Schedule(
      String cron,
      ZoneId zone,
      ExecutionTime execution,
      Duration interval,
      Instant anchor,
      MissedRuns missed,
      Duration grace) {
    this.cron = cron;
    this.zone = zone;
    this.execution = execution;
    this.interval = interval;
    this.anchor = anchor;
    this.missed = missed;
    this.grace = grace;
  }

  /**
   * A cron schedule in UTC; see {@link #cron(String, ZoneId)}.
   *
   * @param expression five fields (minute first) or six (second first), read in UTC
   * @return the schedule, with the default missed-run policy and grace
   * @throws IllegalArgumentException as {@link #cron(String, ZoneId)}
   */
  public static Schedule cron(String expression) {
    return cron(expression, ZoneOffset.UTC);
  }

  /**
   * A cron schedule whose instants are computed in {@code zone}.
   *
   * @param expression five fields (minute hour day-of-month month day-of-week) or six (second
   *     first)
   * @param zone the time zone of the expression's wall clock, e.g. {@code
   *     ZoneId.of("Europe/Berlin")}
   * @return the schedule, with the default missed-run policy and grace
   * @throws IllegalArgumentException if either is null, the expression is not valid (the message
   *     names the expression and what cron-utils found wrong), or it never fires
   */
  public static Schedule cron(String expression, ZoneId zone) {
    if (expression == null || expression.isBlank()) {
      throw new IllegalArgumentException(
          "cron expression must not be blank, was " + EnqueueOptions.quote(expression));
    }
    if (zone == null) {
      throw new IllegalArgumentException(
          "zone of cron '" + expression + "' must not be null: pass ZoneOffset.UTC" + " for UTC");
    }
    String trimmed = expression.trim();
    ExecutionTime execution = CronExpressions.parse(expression);
    Schedule s =
        new Schedule(
            trimmed, zone, execution, null, null, MissedRuns.RUN_ONCE, Duration.ofMinutes(1));
    if (s.nextAfter(Instant.now()).isEmpty()) {
      throw new IllegalArgumentException("cron expression '" + expression + "' never fires");
    }
    return s;
  }

  /**
   * A fixed interval, at {@code 1970-01-01T00:00Z + n × interval}.
   *
   * @param interval 1 second to 366 days, in whole milliseconds
   * @return the schedule, with the default missed-run policy and grace
   * @throws IllegalArgumentException if out of range
   */
  public static Schedule every(Duration interval) {
    return every(interval, Instant.EPOCH);
  }

  /**
   * A fixed interval, at {@code anchor + n × interval} for every integer n: e.g. every day at 06:30
   * UTC is {@code every(Duration.ofDays(1), Instant.parse("2024-01-01T06:30:00Z"))}.
   *
   * @param interval 1 second to 366 days, in whole milliseconds
   * @param anchor any instant of the series, in whole milliseconds
   * @return the schedule, with the default missed-run policy and grace
   * @throws IllegalArgumentException if null or out of range
   */
  public static Schedule every(Duration interval, Instant anchor) {
    if (interval == null
        || interval.compareTo(MIN_INTERVAL) < 0
        || interval.compareTo(MAX_INTERVAL) > 0
        || interval.getNano() % 1_000_000 != 0) {
      throw new IllegalArgumentException(
          "interval must be between "
              + MIN_INTERVAL
              + " and "
              + MAX_INTERVAL
              + " in whole milliseconds, was "
              + interval);
    }
    if (anchor == null
        || anchor.getNano() % 1_000_000 != 0
        || anchor.isBefore(EnqueueOptions.MIN_RUN_AT)
        || anchor.isAfter(EnqueueOptions.MAX_RUN_AT)) {
      throw new IllegalArgumentException(
          "anchor must be an instant in whole milliseconds between "
              + EnqueueOptions.MIN_RUN_AT
              + " and "
              + EnqueueOptions.MAX_RUN_AT
              + ", was "
              + anchor);
    }
    return new Schedule(
        null, null, null, interval, anchor, MissedRuns.RUN_ONCE, Duration.ofMinutes(1));
  }

  /**
   * What to do with instants missed while no process led; see {@link MissedRuns}.
   *
   * @param policy default {@link MissedRuns#RUN_ONCE}
   * @return a copy with this setting; this schedule is unchanged
   * @throws IllegalArgumentException if null
   */
  public Schedule missed(MissedRuns policy) {
    if (policy == null) {
      throw new IllegalArgumentException(
          "missed policy of " + this + " must not be null: SKIP or RUN_ONCE");
    }
    return new Schedule(cron, zone, execution, interval, anchor, policy, grace);
  }

  /**
   * How late an instant may be found due and still be enqueued as usual (not missed). Every instant
   * within the grace is enqueued, so set it above the longest leader change you expect (a dead
   * leader's lock is released when its connection ends; the next process takes over within 4
   * maintenance intervals).
   *
   * @param grace zero to 366 days; default 1 minute
   * @return a copy with this setting; this schedule is unchanged
   * @throws IllegalArgumentException if null or out of range
   */
  public Schedule grace(Duration grace) {
    if (grace == null || grace.isNegative() || grace.compareTo(MAX_INTERVAL) > 0) {
      throw new IllegalArgumentException(
          "grace of " + this + " must be between PT0S and " + MAX_INTERVAL + ", was " + grace);
    }
    return new Schedule(cron, zone, execution, interval, anchor, missed, grace);
  }

  /** {@return the missed-run policy} */
  public MissedRuns missed() {
    return missed;
  }

  /** {@return how late an instant may be and still not count as missed} */
  public Duration grace() {
    return grace;
  }

  /**
   * The schedule's first instant strictly after {@code t}.
   *
   * @param t an instant of the years 0 to 9999 (UTC)
   * @return empty if it never fires after {@code t} (a cron expression for a date that does not
   *     come)
   * @throws IllegalArgumentException if {@code t} is null or outside the years 0 to 9999
   */
  public Optional<Instant> nextAfter(Instant t) {
    checkInstant(t);
    if (interval != null) {
      long step = interval.toMillis();
      long k = Math.floorDiv(t.toEpochMilli() - anchor.toEpochMilli(), step) + 1;
      return Optional.of(anchor.plusMillis(k * step));
    }
    // cron-utils works in whole seconds: from the second at or before t, the next strictly after it
    ZonedDateTime from = t.atZone(zone).withNano(0);
    Optional<Instant> next = execution.nextExecution(from).map(ZonedDateTime::toInstant);
    while (next.isPresent() && !next.get().isAfter(t)) {
      next = execution.nextExecution(next.get().atZone(zone)).map(ZonedDateTime::toInstant);
    }
    return next;
  }

  /**
   * The schedule's latest instant at or before {@code t}; the scheduler uses it to find the newest
   * missed instant without walking every instant of a long outage.
   *
   * @param t an instant of the years 0 to 9999 (UTC)
   * @return empty if it never fired at or before {@code t}
   * @throws IllegalArgumentException if {@code t} is null or outside the years 0 to 9999
   */
  public Optional<Instant> latestAtOrBefore(Instant t) {
    checkInstant(t);
    if (interval != null) {
      long step = interval.toMillis();
      return Optional.of(
          anchor.plusMillis(Math.floorDiv(t.toEpochMilli() - anchor.toEpochMilli(), step) * step));
    }
    Optional<Instant> found = execution.lastExecution(t.atZone(zone)).map(ZonedDateTime::toInstant);
    if (found.isEmpty()) {
      return found;
    }
    // cron-utils gives an instant strictly before t even when t itself fires: step on while due
    Instant candidate = found.get();
    for (Optional<Instant> n = nextAfter(candidate);
        n.isPresent() && !n.get().isAfter(t);
        n = nextAfter(candidate)) {
      candidate = n.get();
    }
    return Optional.of(candidate);
  }

  private static final Instant FIRST = Instant.parse("0000-01-01T00:00:00Z");
  private static final Instant LAST = Instant.parse("9999-12-31T23:59:59.999999999Z");

  /** Refuses null and instants whose arithmetic (milliseconds, zoned dates) would overflow. */
  private static void checkInstant(Instant t) {
    if (t == null) {
      throw new IllegalArgumentException("t must not be null");
    }
    if (t.isBefore(FIRST) || t.isAfter(LAST)) {
      throw new IllegalArgumentException(
          "t must be an instant of the years 0 to 9999 (UTC), was " + t);
    }
  }

  /**
   * {@return how the schedule is shown to operators, e.g. {@code cron '0 3 * * *' Europe/Berlin}}
   */
  public String definition() {
    return interval != null
        ? "every " + interval + (anchor.equals(Instant.EPOCH) ? "" : " from " + anchor)
        : "cron '" + cron + "' " + zone.getId();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Schedule s
        && Objects.equals(definition(), s.definition())
        && missed == s.missed
        && grace.equals(s.grace);
  }

  @Override
  public int hashCode() {
    return Objects.hash(definition(), missed, grace);
  }

  @Override
  public String toString() {
    return "Schedule[" + definition() + ", missed " + missed + ", grace " + grace + "]";
  }
}
