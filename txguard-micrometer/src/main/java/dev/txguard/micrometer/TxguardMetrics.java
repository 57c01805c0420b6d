package dev.txguard.micrometer;

import dev.txguard.Database;
import dev.txguard.LeakReport;
import dev.txguard.PoolExhaustedException;
import dev.txguard.PoolStats;
import dev.txguard.Tx;
import dev.txguard.TxListener;
import dev.txguard.internal.Failures;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.ToIntFunction;

/**
 * Micrometer meters for txguard: a {@link TxListener} that counts what units do, and gauges over a
 * database's connection pools.
 *
 * <pre>{@code
 * TxguardMetrics metrics = new TxguardMetrics(registry, Tags.of("db", "orders"));
 * Database db = Database.builder().url(url).listener(metrics).build();
 * metrics.bindPools(db);
 * }</pre>
 *
 * <p>Meters (every one also carries the tags given to the constructor; {@code name} is the unit's
 * {@link dev.txguard.TxOptions#name name}, so name units by what they do, not by what they touch):
 *
 * <table>
 *   <caption>meters</caption>
 *   <tr><th>meter</th><th>type</th><th>tags</th><th>counts</th></tr>
 *   <tr><td>{@code txguard.tx.commit}</td><td>timer</td><td>name</td><td>committed attempts and
 *       how long each ran, from begin to the end of COMMIT</td></tr>
 *   <tr><td>{@code txguard.tx.rollback}</td><td>counter</td><td>name, cause</td><td>attempts that
 *       rolled back; cause is the exception's simple class name, {@code none} for an explicit
 *       rollback</td></tr>
 *   <tr><td>{@code txguard.tx.retry}</td><td>counter</td><td>name, sqlstate</td><td>attempts started
 *       again after a retryable failure; sqlstate is the failure's (40001, 40P01, ...), {@code none}
 *       when it has none</td></tr>
 *   <tr><td>{@code txguard.tx.leak}</td><td>counter</td><td>name, unreachable</td><td>leak
 *       reports: units open past the leak threshold ({@code false}), dropped manual handles
 *       ({@code true})</td></tr>
 *   <tr><td>{@code txguard.tx.hook.failure}</td><td>counter</td><td>name</td><td>after-commit and
 *       after-rollback actions that threw</td></tr>
 *   <tr><td>{@code txguard.pool.exhausted}</td><td>counter</td><td></td><td>waits for a connection
 *       that timed out</td></tr>
 *   <tr><td>{@code txguard.pool.connections}</td><td>gauge</td><td>state (active, idle)</td><td>
 *       connections of all of the database's pools, after {@link #bindPools}</td></tr>
 *   <tr><td>{@code txguard.pool.waiting}</td><td>gauge</td><td></td><td>threads waiting for a
 *       connection, after {@link #bindPools}</td></tr>
 * </table>
 *
 * <p>One instance per database when the databases should be told apart (give each its own tags).
 * Thread-safe. A Database takes one listener; to combine this one with another, write a listener
 * that forwards to both.
 */
public final class TxguardMetrics implements TxListener {
  private final MeterRegistry registry;
  private final Tags tags;
  private final ConcurrentMap<String, Timer> commitTimers = new ConcurrentHashMap<>();
  private final Counter poolExhausted;

  /**
   * Meters in {@code registry} with no extra tags.
   *
   * @param registry where the meters are registered
   * @throws IllegalArgumentException if {@code registry} is null
   */
  public TxguardMetrics(MeterRegistry registry) {
    this(registry, Tags.empty());
  }

  /**
   * Meters in {@code registry}, each carrying {@code tags} (for example {@code db=orders}).
   *
   * @param registry where the meters are registered
   * @param tags carried by every meter besides its own tags
   * @throws IllegalArgumentException if {@code registry} or {@code tags} is null
   */
  public TxguardMetrics(MeterRegistry registry, Iterable<Tag> tags) {
    if (registry == null) {
      throw new IllegalArgumentException("registry must not be null");
    }
    if (tags == null) {
      throw new IllegalArgumentException("tags must not be null (use Tags.empty())");
    }
    this.registry = registry;
    this.tags = Tags.of(tags);
    this.poolExhausted =
        Counter.builder("txguard.pool.exhausted")
            .description("waits for a pooled connection that timed out")
            .tags(this.tags)
            .register(registry);
  }

  /**
   * Registers the pool gauges of {@code db}: connections active and idle, and threads waiting,
   * summed over every level's pool (open {@link Database#poolStats()} for one level). The gauges
   * hold {@code db} weakly and read it when the registry is scraped.
   *
   * @param db the database whose pools the gauges read
   * @return this
   * @throws IllegalArgumentException if {@code db} is null
   */
  public TxguardMetrics bindPools(Database db) {
    if (db == null) {
      throw new IllegalArgumentException("db must not be null");
    }
    poolGauge(
        db,
        "txguard.pool.connections",
        Tags.of("state", "active"),
        "connections lent out",
        PoolStats::active);
    poolGauge(
        db,
        "txguard.pool.connections",
        Tags.of("state", "idle"),
        "connections open and free",
        PoolStats::idle);
    poolGauge(
        db,
        "txguard.pool.waiting",
        Tags.empty(),
        "threads waiting for a connection",
        PoolStats::waiting);
    return this;
  }

  private void poolGauge(
      Database db, String name, Tags extra, String description, ToIntFunction<PoolStats> value) {
    Gauge.builder(name, db, d -> d.poolStats().stream().mapToInt(value).sum())
        .description(description)
        .tags(tags.and(extra))
        .register(registry);
  }

  /**
   * Records a committed attempt.
   *
   * @param tx its name tags the timer
   * @param elapsed recorded in {@code txguard.tx.commit}
   */
  @Override
  public void onCommit(Tx tx, Duration elapsed) {
    commitTimers
        .computeIfAbsent(
            tx.name(),
            name ->
                Timer.builder("txguard.tx.commit")
                    .description("committed attempts, begin to end of COMMIT")
                    .tags(tags)
                    .tag("name", name)
                    .register(registry))
        .record(elapsed);
  }

  /**
   * Counts a rolled-back attempt by its cause's class.
   *
   * @param tx its name tags the counter
   * @param cause its simple class name is the {@code cause} tag; null counts as {@code none}
   */
  @Override
  public void onRollback(Tx tx, Throwable cause) {
    counter(
            "txguard.tx.rollback",
            "attempts rolled back",
            tx.name(),
            "cause",
            cause == null ? "none" : cause.getClass().getSimpleName())
        .increment();
  }

  /**
   * Counts a retry by the SQLSTATE of the failure that caused it.
   *
   * @param name the unit's name, the {@code name} tag
   * @param nextAttempt not recorded
   * @param cause its SQLSTATE, searched over the cause chain, is the {@code sqlstate} tag
   * @param delay not recorded
   */
  @Override
  public void onRetry(String name, int nextAttempt, Throwable cause, Duration delay) {
    counter(
            "txguard.tx.retry",
            "attempts started again after a retryable failure",
            name,
            "sqlstate",
            sqlState(cause))
        .increment();
  }

  /**
   * Counts a leak report.
   *
   * @param report its name and {@code unreachable} flag are the tags
   */
  @Override
  public void onLeak(LeakReport report) {
    counter(
            "txguard.tx.leak",
            "units open past the leak threshold, or dropped unclosed",
            report.name(),
            "unreachable",
            Boolean.toString(report.unreachable()))
        .increment();
  }

  /**
   * Counts a failed after-commit or after-rollback action.
   *
   * @param name the unit's name, the {@code name} tag
   * @param error not recorded
   */
  @Override
  public void onHookFailed(String name, Throwable error) {
    Counter.builder("txguard.tx.hook.failure")
        .description("after-commit and after-rollback actions that threw")
        .tags(tags)
        .tag("name", name)
        .register(registry)
        .increment();
  }

  /**
   * Counts a timed-out wait for a connection.
   *
   * @param error not recorded
   */
  @Override
  public void onPoolExhausted(PoolExhaustedException error) {
    poolExhausted.increment();
  }

  private Counter counter(String meter, String description, String name, String key, String value) {
    return Counter.builder(meter)
        .description(description)
        .tags(tags)
        .tag("name", name)
        .tag(key, value)
        .register(registry);
  }

  /** The SQLSTATE of the first SQLException in {@code failure}'s cause chain, or "none". */
  private static String sqlState(Throwable failure) {
    for (Throwable t : Failures.causes(failure)) {
      if (t instanceof SQLException e && e.getSQLState() != null) {
        return e.getSQLState();
      }
    }
    return "none";
  }
}
