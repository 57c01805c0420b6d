package dev.txguard.internal;

import dev.txguard.PoolStats;
import dev.txguard.TxException;
import dev.txguard.TxFunction;
import dev.txguard.TxHandle;
import dev.txguard.TxListener;
import dev.txguard.TxOptions;
import dev.txguard.internal.dialect.Dialect;
import dev.txguard.internal.dialect.Dialects;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime behind {@code Database}, a facade over single-purpose parts: {@link Pools} (a pool
 * per level), {@link UnitOpener} (borrowing within the unit's time), {@link RetryLoop} (callback
 * units, joins and retries, decided by {@link RetryPolicy}), {@link ManualUnits} (handles), {@link
 * Watchdog} (deadlines and leaks), {@link Hooks}, {@link Listeners} and {@link LentConnections}
 * (connections outside units). What stays here: levels. Thread-safe.
 */
public final class Engine implements AutoCloseable {
  static final Logger LOG = LoggerFactory.getLogger("dev.txguard");
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  /** Everything {@code Database.Builder} collected, already validated. */
  public record Config(
      String url,
      String user,
      String password,
      DataSource dataSource,
      int poolSize,
      int levelPoolSize,
      int maxLevels,
      Duration connectionTimeout,
      TxOptions defaults,
      Duration leakThreshold,
      TxListener listener) {
    @Override
    public String toString() {
      return "Config["
          + (dataSource != null ? "dataSource" : "url " + ConnectionSource.of(url, user, null, 0))
          + ", poolSize "
          + poolSize
          + ", levelPoolSize "
          + levelPoolSize
          + ", maxLevels "
          + maxLevels
          + "]";
    }
  }

  private final Config config;
  private final ConnectionSource source;
  private final Dialect dialect;
  private final String name;
  private final Pools pools;
  private final Watchdog watchdog;
  private final RetryLoop retryLoop;
  private final ManualUnits manualUnits;
  private final CommitResolver resolver;
  private final LentConnections lent;
  private volatile boolean closed;

  /**
   * Starts the level-0 pool (connecting at once, so bad URLs and passwords fail here) and the
   * watchdog.
   *
   * @throws TxException if the database cannot be reached
   */
  public Engine(Config config) {
    this.config = config;
    this.source =
        config.dataSource() != null
            ? ConnectionSource.of(config.dataSource())
            : ConnectionSource.of(
                config.url(),
                config.user(),
                config.password(),
                config.connectionTimeout().toMillis());
    this.name = "txguard-" + SEQUENCE.incrementAndGet();
    this.dialect =
        config.dataSource() != null
            ? source.dialect(config.connectionTimeout().toMillis())
            : Dialects.forUrl(config.url());
    this.pools = new Pools(config, source, name, dialect);
    Listeners listeners = new Listeners(config.listener());
    this.watchdog = new Watchdog(name, config.leakThreshold(), listeners);
    Hooks hooks = new Hooks(this, listeners);
    UnitOpener opener = new UnitOpener(this, pools, watchdog, listeners);
    this.retryLoop = new RetryLoop(this, opener, listeners, hooks);
    this.manualUnits = new ManualUnits(this, opener, listeners, hooks, watchdog);
    this.resolver = new CommitResolver(source, config.connectionTimeout().toNanos());
    this.lent = new LentConnections(this, pools, source, config.connectionTimeout().toMillis());
  }

  /** The database's dialect: its SQLSTATEs, status checks and SQL. */
  public Dialect dialect() {
    return dialect;
  }

  /** The number of levels units may use (0 to maxLevels - 1). */
  public int maxLevels() {
    return config.maxLevels();
  }

  /** The options {@code inTx(work)} uses. */
  public TxOptions defaults() {
    return config.defaults();
  }

  /**
   * Runs {@code work} in a unit: joins the thread's unit of this database unless {@code
   * independent}; otherwise opens one (one level up when the thread already holds a connection of
   * this database) and retries it on retryable failures.
   */
  public <T, X extends Exception> T run(
      TxOptions options, TxFunction<T, X> work, boolean independent) throws X {
    requireOptions(options);
    if (work == null) {
      throw new IllegalArgumentException("work must not be null");
    }
    checkNotClosed();
    return retryLoop.run(options, work, independent);
  }

  /** Begins a manual unit; see {@code TxHandle}. */
  public TxHandle begin(TxOptions options) {
    requireOptions(options);
    checkNotClosed();
    return manualUnits.begin(options);
  }

  /** Called by a unit when it releases its connection. */
  void closed(Unit unit) {
    watchdog.unwatch(unit);
  }

  void checkLevel(ThreadContext ctx, int level) {
    if (level < config.maxLevels()) {
      return;
    }
    throw new IllegalStateException(
        "a unit at level "
            + level
            + " would exceed maxLevels "
            + config.maxLevels()
            + " of "
            + name
            + "; levels in use on this thread: "
            + ctx.describeLevels(this)
            + ". Each level of nesting (db.inNewTx, db.isolated, queue calls) takes one; raise maxLevels"
            + " or nest less");
  }

  /** The calling thread's level for this database. */
  public int level() {
    return ThreadContext.get().level(this);
  }

  /** Runs {@code work} one level up, with no current unit. */
  public <T> T isolated(Callable<T> work) throws Exception {
    if (work == null) {
      throw new IllegalArgumentException("work must not be null");
    }
    ThreadContext ctx = ThreadContext.get();
    int level = ctx.level(this) + 1;
    checkLevel(ctx, level);
    int mark = ctx.enter(this, level);
    try {
      return work.call();
    } finally {
      ctx.restore(mark);
    }
  }

  /**
   * Runs {@code work} on the calling thread at {@code level} with no current unit, for work carried
   * to another thread by a captured context. Unchecked throwables pass through; checked ones too.
   */
  public <T> T runAt(int level, Callable<T> work) {
    ThreadContext ctx = ThreadContext.get();
    // never below a level this thread already holds (a task run by the thread that submitted it,
    // or by a fork-join worker in the middle of another task)
    int at = Math.max(level, ctx.nextLevel(this));
    checkLevel(ctx, at);
    int mark = ctx.enter(this, at);
    try {
      return work.call();
    } catch (Exception e) {
      throw Failures.rethrow(e);
    } finally {
      ctx.restore(mark);
    }
  }

  /** The level an independent unit opened by the calling thread would use. */
  public int nextLevel() {
    return ThreadContext.get().nextLevel(this);
  }

  /** Snapshots of the pools opened so far, by level. */
  public List<PoolStats> poolStats() {
    return pools.stats();
  }

  /** Connections lent outside units: advisory-lock sessions, {@code db.dataSource()}, raw ones. */
  public LentConnections lent() {
    return lent;
  }

  /** This runtime's name, used for its pools and threads. */
  public String name() {
    return name;
  }

  /** Decides COMMITs whose connection was lost. */
  CommitResolver resolver() {
    return resolver;
  }

  /** Where connections come from, for messages that must not show secrets. */
  ConnectionSource source() {
    return source;
  }

  /** Whether {@link #close()} has run. */
  public boolean isClosed() {
    return closed;
  }

  void checkNotClosed() {
    if (closed) {
      throw new IllegalStateException(name + " is closed");
    }
  }

  @Override
  public void close() {
    closed = true;
    watchdog.close();
    pools.close();
  }

  private static void requireOptions(TxOptions options) {
    if (options == null) {
      throw new IllegalArgumentException("options must not be null");
    }
  }
}
