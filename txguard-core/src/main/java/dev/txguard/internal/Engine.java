package dev.txguard.internal;

import dev.txguard.LeakReport;
import dev.txguard.PoolExhaustedException;
import dev.txguard.PoolStats;
import dev.txguard.RetriesExhaustedException;
import dev.txguard.TxException;
import dev.txguard.TxFunction;
import dev.txguard.TxHandle;
import dev.txguard.TxListener;
import dev.txguard.TxOptions;
import dev.txguard.TxTimeoutException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime behind {@code Database}: pools per level, the retry loop, joins, manual units, the
 * watchdog for deadlines and leaks. Thread-safe.
 */
public final class Engine implements AutoCloseable {
  static final Logger LOG = LoggerFactory.getLogger("dev.txguard");
  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private static final int STACK_FRAMES_IN_MESSAGES = 25;

  /** Everything {@code Database.Builder} collected, already validated. */
  public record Config(
      String url, String user, String password, DataSource dataSource, int poolSize, int levelPoolSize,
      int maxLevels, Duration connectionTimeout, TxOptions defaults, Duration leakThreshold,
      TxListener listener) {
    @Override
    public String toString() {
      return "Config[" + (dataSource != null ? "dataSource" : "url " + ConnectionSource.of(url, user, null, 0))
          + ", poolSize " + poolSize + ", levelPoolSize " + levelPoolSize + ", maxLevels " + maxLevels + "]";
    }
  }

  private final Config config;
  private final ConnectionSource source;
  private final String name;
  private final AtomicReferenceArray<Pool> pools;
  private volatile Pool lockPool;
  private final Set<Unit> open = ConcurrentHashMap.newKeySet();
  private final ScheduledThreadPoolExecutor watchdog;
  private final TxListener listener;
  private volatile boolean closed;

  /**
   * Starts the level-0 pool (connecting at once, so bad URLs and passwords fail here) and the
   * watchdog.
   *
   * @throws TxException if the database cannot be reached
   */
  public Engine(Config config) {
    this.config = config;
    this.source = config.dataSource() != null ? ConnectionSource.of(config.dataSource())
        : ConnectionSource.of(config.url(), config.user(), config.password(), config.connectionTimeout().toMillis());
    this.name = "txguard-" + SEQUENCE.incrementAndGet();
    this.pools = new AtomicReferenceArray<>(config.maxLevels());
    this.listener = config.listener();
    this.watchdog = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, name + "-watchdog");
      t.setDaemon(true);
      return t;
    });
    watchdog.setRemoveOnCancelPolicy(true);
    try {
      pools.set(0, newPool(0));
    } catch (RuntimeException e) {
      watchdog.shutdownNow();
      throw e;
    }
    long sweepMs = Math.max(10, Math.min(1000, config.leakThreshold().toMillis() / 2));
    watchdog.scheduleWithFixedDelay(this::sweepLeaks, sweepMs, sweepMs, TimeUnit.MILLISECONDS);
  }

  private Pool newPool(int level) {
    int size = level == 0 ? config.poolSize() : config.levelPoolSize();
    try {
      return new Pool(level, size, config.connectionTimeout().toMillis(), source, name);
    } catch (RuntimeException e) {
      Throwable root = Failures.root(e);
      throw new TxException("cannot connect to " + source.describe() + " (connectionTimeout "
          + config.connectionTimeout().toMillis() + " ms): " + source.redact(root.getMessage()), source.scrub(e));
    }
  }

  /** The number of levels units may use (0 to maxLevels - 1). */
  public int maxLevels() {
    return config.maxLevels();
  }

  /** The options {@code inTx(work)} uses. */
  public TxOptions defaults() {
    return config.defaults();
  }

  // ---- callback units --------------------------------------------------------------------------

  /**
   * Runs {@code work} in a unit: joins the thread's unit of this database unless
   * {@code independent}; otherwise opens one (one level up when the thread already holds a
   * connection of this database) and retries it on retryable failures.
   */
  public <T, X extends Exception> T run(TxOptions options, TxFunction<T, X> work, boolean independent)
      throws X {
    requireOptions(options);
    if (work == null) {
      throw new IllegalArgumentException("work must not be null");
    }
    checkNotClosed();
    ThreadContext ctx = ThreadContext.get();
    if (!independent) {
      TxImpl outer = ctx.find(this);
      if (outer != null) {
        return join(outer, options, work);
      }
    }
    int level = ctx.nextLevel(this);
    checkLevel(ctx, level);
    long firstStart = System.nanoTime();
    List<Throwable> earlier = null;
    for (int attempt = 1; ; attempt++) {
      Unit unit;
      try {
        unit = open(options, attempt, firstStart, level, null);
      } catch (RuntimeException e) {
        throw withEarlier(e, earlier); // e.g. the database was closed while this unit waited to retry
      }
      TxImpl tx = new TxImpl(unit, null);
      Throwable failure = null;
      T result = null;
      ctx.push(tx);
      try {
        fireBegin(tx);
        unit.start();
        result = work.apply(tx);
        unit.commit();
        fireCommit(tx, unit);
      } catch (Throwable t) {
        failure = t;
        unit.rollback(t);
        attachAbortCause(unit, t);
        fireRollback(tx, t);
      } finally {
        ctx.pop();
        unit.release();
      }
      if (failure == null) {
        runHooksOutside(ctx, unit, true);
        return result;
      }
      long delay = backoffNanos(options, attempt);
      Throwable verdict = verdict(options, unit, attempt, failure, delay);
      if (verdict != null) {
        runHooksOutside(ctx, unit, false);
        throw Failures.rethrow(withEarlier(verdict, earlier));
      }
      fireRetry(options.name(), attempt + 1, failure, Duration.ofNanos(delay));
      if (earlier == null) {
        earlier = new ArrayList<>();
      }
      earlier.add(failure);
      sleep(delay, failure, earlier);
    }
  }

  /**
   * What to throw after a failed attempt, or null to retry: the failure itself when it is not
   * retryable, {@link RetriesExhaustedException} after the last attempt, {@link TxTimeoutException}
   * when the backoff would end past the deadline.
   */
  private static Throwable verdict(TxOptions options, Unit unit, int attempt, Throwable failure, long delay) {
    if (!retryable(unit, failure)) {
      return failure;
    }
    if (attempt >= options.maxAttempts()) {
      return new RetriesExhaustedException("unit '" + options.name() + "' failed after " + attempt
          + " attempts (maxAttempts " + options.maxAttempts() + "), the last with: " + summary(failure),
          attempt, failure);
    }
    if (unit.hasDeadline && System.nanoTime() + delay - unit.deadline >= 0) {
      return new TxTimeoutException("unit '" + options.name() + "' has no time left for attempt " + (attempt + 1)
          + " within its timeout of " + options.timeout().orElseThrow().toMillis() + " ms; attempt " + attempt
          + " failed with: " + summary(failure), failure);
    }
    return null;
  }

  /**
   * Whether the attempt failed for a reason that may pass on a rerun: {@code failure} is retryable,
   * or the callback replaced the retryable error that aborted the unit with an exception of its own
   * (a caught 40001 rethrown as a business exception). A lost connection counts only if it was the
   * unit's own.
   */
  private static boolean retryable(Unit unit, Throwable failure) {
    boolean ownConnectionLost = unit.lostConnection();
    if (Failures.retryable(failure, ownConnectionLost)) {
      return true;
    }
    Throwable abortedBy = unit.abortCause();
    return abortedBy != null && abortedBy != failure && !Failures.hasFinalVerdict(failure)
        && Failures.retryable(abortedBy, ownConnectionLost);
  }

  /**
   * Runs the hooks of a callback unit that has ended, outside every unit of this database: when it
   * ran inside another (an {@code inNewTx} unit), that caller's unit is hidden while they run, and
   * units the hooks open take the ended unit's level.
   */
  private void runHooksOutside(ThreadContext ctx, Unit unit, boolean committed) {
    if (unit.hooks(committed).isEmpty()) {
      return;
    }
    if (ctx.find(this) == null) {
      runHooks(unit, committed);
      return;
    }
    int mark = ctx.enter(this, unit.level);
    try {
      runHooks(unit, committed);
    } finally {
      ctx.restore(mark);
    }
  }

  /** Runs a unit's hooks for its final outcome, outside any unit; failures are reported, not thrown. */
  void runHooks(Unit unit, boolean committed) {
    for (Runnable hook : unit.hooks(committed)) {
      try {
        hook.run();
      } catch (Throwable e) {
        LOG.warn("an after-{} action of unit '{}' failed; the other actions still run",
            committed ? "commit" : "rollback", unit.name(), e);
        fire(l -> l.onHookFailed(unit.name(), e));
      }
    }
  }

  private <T, X extends Exception> T join(TxImpl outer, TxOptions options, TxFunction<T, X> work)
      throws X {
    String conflict = conflict(outer.unit.options, options);
    if (conflict != null) {
      throw new IllegalStateException(conflict);
    }
    try {
      return work.apply(outer);
    } catch (Throwable t) {
      outer.unit.markRollbackOnly(t);
      throw Failures.rethrow(t);
    }
  }

  /**
   * Why a nested call with {@code inner} options cannot join a unit running with {@code outer}, or
   * null when it can: the outer unit must be at least as strict (isolation, read-write).
   */
  static String conflict(TxOptions outer, TxOptions inner) {
    String what = null;
    if (inner.isolation().ordinal() > outer.isolation().ordinal()) {
      what = "isolation " + inner.isolation() + " but the unit runs at " + outer.isolation();
    } else if (!inner.readOnly() && outer.readOnly()) {
      what = "read-write but the unit is read-only";
    }
    if (what == null) {
      return null;
    }
    return "nested unit '" + inner.name() + "' asks for " + what + " and would join unit '" + outer.name()
        + "' (" + outer.isolation() + (outer.readOnly() ? ", read-only" : ", read-write") + "); give it"
        + " compatible options, or use db.inNewTx(...) for an independent unit";
  }

  private static void attachAbortCause(Unit unit, Throwable failure) {
    Throwable cause = unit.abortCause();
    if (cause == null || cause == failure) {
      return;
    }
    if (!Failures.causes(failure).contains(cause)) {
      failure.addSuppressed(cause);
    }
  }

  private static <E extends Throwable> E withEarlier(E failure, List<Throwable> earlier) {
    if (earlier != null) {
      for (Throwable e : earlier) {
        if (e != failure) {
          failure.addSuppressed(e);
        }
      }
    }
    return failure;
  }

  static String summary(Throwable failure) {
    for (Throwable t : Failures.causes(failure)) {
      if (t instanceof SQLException e) {
        String msg = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
        return "SQLSTATE " + e.getSQLState() + " (" + msg + ")";
      }
    }
    return String.valueOf(failure);
  }

  /** Full-jitter exponential backoff after failed attempt {@code failedAttempt} (1-based). */
  static long backoffNanos(TxOptions options, int failedAttempt) {
    long max = options.backoffMax().toNanos();
    long cap = options.backoffInitial().toNanos();
    for (int i = 1; i < failedAttempt && cap < max; i++) {
      cap = cap > max / 2 ? max : cap * 2;
    }
    cap = Math.min(cap, max);
    return cap <= 0 ? 0 : ThreadLocalRandom.current().nextLong(cap + 1);
  }

  private static void sleep(long nanos, Throwable failure, List<Throwable> earlier) {
    long end = System.nanoTime() + nanos;
    for (long left = nanos; left > 0; left = end - System.nanoTime()) {
      LockSupport.parkNanos(left);
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        earlier.remove(failure);
        TxException e = new TxException("interrupted while waiting to retry; the last attempt failed with: "
            + summary(failure), failure);
        throw withEarlier(e, earlier);
      }
    }
  }

  // ---- opening and ending units ----------------------------------------------------------------

  private Unit open(TxOptions options, int attempt, long firstStart, int level, StackTraceElement[] openedAt) {
    checkNotClosed();
    Pool pool = pool(level);
    long waitMs = pool.connectionTimeoutMs;
    if (options.timeout().isPresent()) {
      long left = firstStart + options.timeout().get().toNanos() - System.nanoTime();
      if (left <= 0) {
        throw new TxTimeoutException("unit '" + options.name() + "' ran past its timeout of "
            + options.timeout().get().toMillis() + " ms before attempt " + attempt + " could begin", null);
      }
      waitMs = Math.min(waitMs, Math.max(1, left / 1_000_000));
    }
    Connection conn = borrow(pool, options, waitMs, attempt);
    Unit unit = new Unit(this, pool, options, attempt, firstStart, conn, openedAt);
    open.add(unit);
    if (unit.hasDeadline) {
      long delay = unit.deadline - System.nanoTime();
      try {
        unit.deadlineTask = watchdog.schedule(
            () -> Thread.ofVirtual().name(name + "-expire").start(unit::expire), delay, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) { // close() ran since checkNotClosed()
        unit.release();
        throw new IllegalStateException(name + " is closed", e);
      }
    }
    return unit;
  }

  private Connection borrow(Pool pool, TxOptions options, long waitMs, int attempt) {
    try {
      return pool.borrow(waitMs);
    } catch (SQLTransientConnectionException e) {
      if (waitMs < pool.connectionTimeoutMs) {
        throw new TxTimeoutException("unit '" + options.name() + "' ran past its timeout of "
            + options.timeout().orElseThrow().toMillis() + " ms waiting for a connection (attempt " + attempt
            + ")", poolExhausted(pool, waitMs, e));
      }
      PoolExhaustedException error = poolExhausted(pool, waitMs, e);
      fire(l -> l.onPoolExhausted(error));
      throw error;
    } catch (SQLException e) {
      throw new TxException("cannot get a connection for unit '" + options.name() + "' from the level-"
          + pool.level + " pool: " + source.redact(e.getMessage()), e);
    }
  }

  private PoolExhaustedException poolExhausted(Pool pool, long waitedMs, SQLException e) {
    PoolStats s = pool.stats();
    StringBuilder sb = new StringBuilder()
        .append("no connection free in the level-").append(pool.level).append(" pool of ").append(name)
        .append(" after ").append(waitedMs).append(" ms (size ").append(s.size()).append(", active ")
        .append(s.active()).append(", idle ").append(s.idle()).append(", waiting ").append(s.waiting())
        .append(")");
    List<Unit> holders = open.stream().filter(u -> u.level == pool.level && u.holdsConnection()).toList();
    if (holders.isEmpty()) {
      sb.append("; no txguard unit holds one");
      if (e.getCause() != null) {
        sb.append("; last connection error: ").append(source.redact(e.getCause().getMessage()));
      }
    } else {
      sb.append("; held by:");
      for (Unit u : holders) {
        sb.append("\n  unit '").append(u.name()).append("' (attempt ").append(u.attempt).append(") for ")
            .append(u.age().toMillis()).append(" ms on thread '").append(u.owner.getName())
            .append("', opened at:");
        StackTraceElement[] stack = u.openedAt != null ? u.openedAt : u.owner.getStackTrace();
        for (StackTraceElement frame : Arrays.asList(stack).subList(0, Math.min(stack.length, STACK_FRAMES_IN_MESSAGES))) {
          sb.append("\n\tat ").append(frame);
        }
      }
      sb.append("\nCode inside a unit that waits for work needing another connection of the same pool"
          + " deadlocks it: run that work with db.inNewTx(...) or db.isolated(...) (one level up), or"
          + " end the unit first");
    }
    return new PoolExhaustedException(sb.toString(), e);
  }

  private Pool pool(int level) {
    Pool pool = pools.get(level);
    if (pool != null) {
      return pool;
    }
    synchronized (pools) {
      pool = pools.get(level);
      if (pool == null) {
        checkNotClosed();
        pool = newPool(level);
        pools.set(level, pool);
      }
      return pool;
    }
  }

  void checkLevel(ThreadContext ctx, int level) {
    if (level < config.maxLevels()) {
      return;
    }
    throw new IllegalStateException("a unit at level " + level + " would exceed maxLevels " + config.maxLevels()
        + " of " + name + "; levels in use on this thread: " + ctx.describeLevels(this)
        + ". Each level of nesting (db.inNewTx, db.isolated, queue calls) takes one; raise maxLevels"
        + " or nest less");
  }

  /** Called by a unit when it releases its connection. */
  void closed(Unit unit) {
    open.remove(unit);
    if (unit.deadlineTask != null) {
      unit.deadlineTask.cancel(false);
    }
  }

  // ---- manual units ----------------------------------------------------------------------------

  /** Begins a manual unit; see {@code TxHandle}. */
  public TxHandle begin(TxOptions options) {
    requireOptions(options);
    checkNotClosed();
    StackTraceElement[] stack = callerStack();
    ThreadContext ctx = ThreadContext.get();
    int level = ctx.nextLevel(this);
    checkLevel(ctx, level);
    Unit unit = open(options, 1, System.nanoTime(), level, stack);
    try {
      unit.start();
      ManualHandle handle = new ManualHandle(unit);
      fireBegin(handle.txImpl());
      return handle;
    } catch (RuntimeException e) {
      unit.rollback(e);
      unit.release();
      throw e;
    }
  }

  private static StackTraceElement[] callerStack() {
    StackTraceElement[] stack = new Throwable().getStackTrace();
    int first = 0;
    while (first < stack.length && isTxguardFrame(stack[first].getClassName())) {
      first++;
    }
    return Arrays.copyOfRange(stack, first, stack.length);
  }

  private static boolean isTxguardFrame(String className) {
    return className.startsWith("dev.txguard.internal.") || className.equals("dev.txguard.Database");
  }

  void commitManual(Unit unit, TxImpl tx) {
    try {
      unit.commit();
      fireCommit(tx, unit);
    } catch (RuntimeException e) {
      unit.rollback(e);
      fireRollback(tx, e);
      unit.release();
      runHooks(unit, false);
      throw e;
    }
    unit.release();
    runHooks(unit, true);
  }

  void rollbackManual(Unit unit, TxImpl tx, Throwable cause) {
    try {
      unit.rollback(cause);
    } finally {
      unit.release();
    }
    fireRollback(tx, cause);
    runHooks(unit, false);
  }

  /**
   * A manual unit whose handle is gone: ends whatever its handle did not. A unit still open is
   * reported as a leak and rolled back; one that timed out is released; either way its
   * after-rollback actions run (here, on the cleaner's thread). Nothing to do for a unit its handle
   * ended.
   */
  void abandoned(Unit unit) {
    if (unit.released()) {
      return;
    }
    boolean stillOpen = unit.active();
    if (stillOpen) {
      reportLeak(unit, true);
    }
    try {
      unit.rollback(null);
    } catch (RuntimeException e) {
      LOG.warn("rolling back abandoned unit '{}' failed: {}", unit.name(), e.toString());
    } finally {
      unit.release();
    }
    runHooks(unit, false);
  }

  // ---- leaks -----------------------------------------------------------------------------------

  /** Reports units open past the leak threshold; runs on the watchdog, so it must never throw. */
  private void sweepLeaks() {
    long threshold = config.leakThreshold().toNanos();
    long now = System.nanoTime();
    for (Unit u : open) {
      if (!u.leakReported && u.active() && now - u.startNanos > threshold) {
        u.leakReported = true;
        try {
          reportLeak(u, false);
        } catch (Throwable e) { // a throw here would cancel the periodic sweep for good
          LOG.warn("reporting a leak of unit '{}' failed; sweeping goes on", u.name(), e);
        }
      }
    }
  }

  private void reportLeak(Unit unit, boolean unreachable) {
    StackTraceElement[] stack = unit.openedAt != null ? unit.openedAt : unit.owner.getStackTrace();
    LeakReport report = new LeakReport(unit.name(), unit.age(), unit.owner.getName(), Arrays.asList(stack),
        unreachable);
    LOG.warn("txguard: possible leak: {}", report.describe());
    fire(l -> l.onLeak(report));
  }

  // ---- levels and stats ------------------------------------------------------------------------

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
    List<PoolStats> stats = new ArrayList<>();
    for (int i = 0; i < pools.length(); i++) {
      Pool pool = pools.get(i);
      if (pool != null) {
        stats.add(pool.stats());
      }
    }
    return stats;
  }

  // ---- session locks and the DataSource view ---------------------------------------------------

  /** Borrows a connection of the advisory-lock pool (created on first use). */
  public Connection lockConnection() {
    checkNotClosed();
    Pool pool = lockPool;
    if (pool == null) {
      synchronized (pools) {
        pool = lockPool;
        if (pool == null) {
          checkNotClosed();
          pool = new Pool(-1, config.poolSize(), config.connectionTimeout().toMillis(), source, name + "-locks");
          lockPool = pool;
        }
      }
    }
    try {
      return pool.borrow(pool.connectionTimeoutMs);
    } catch (SQLException e) {
      throw new PoolExhaustedException("no connection free in the advisory-lock pool of " + name + " after "
          + pool.connectionTimeoutMs + " ms (size " + pool.size + "): too many session locks held at once", e);
    }
  }

  /** Returns a lock connection to its pool unless it was discarded. */
  public void releaseLockConnection(Connection c) {
    try {
      if (!c.isClosed()) {
        c.close();
      }
    } catch (SQLException e) {
      LOG.debug("closing a lock connection failed: {}", e.toString());
    }
  }

  /** Discards a lock connection, releasing its session's locks. */
  public void discardLockConnection(Connection c) {
    try {
      c.unwrap(Connection.class).abort(Runnable::run);
    } catch (SQLException e) {
      LOG.debug("aborting a lock connection failed: {}", e.toString());
    }
    lockPool.evict(c);
  }

  /** A new connection outside the pools, in autocommit mode, owned by the caller. */
  public Connection openConnection() {
    checkNotClosed();
    Connection c = null;
    try {
      c = source.open();
      c.setAutoCommit(true);
      return c;
    } catch (SQLException e) {
      if (c != null) {
        try {
          c.close();
        } catch (SQLException closing) {
          e.addSuppressed(closing);
        }
      }
      throw new TxException("cannot open a connection to " + source.describe() + ": " + source.redact(e.getMessage()),
          source.scrub(e));
    }
  }

  /**
   * A connection for {@code db.dataSource()}: the calling thread's unit's connection (its close a
   * no-op) when it runs one of this database, else a pooled connection in autocommit mode.
   */
  public Connection dataSourceConnection() throws SQLException {
    checkNotClosed();
    ThreadContext ctx = ThreadContext.get();
    TxImpl current = ctx.find(this);
    if (current != null) {
      current.unit.checkOpen();
      return GuardedConnection.lend(current.unit);
    }
    Pool pool = pool(ctx.nextLevel(this));
    Connection c = pool.borrow(config.connectionTimeout().toMillis());
    c.setAutoCommit(true);
    return SessionConnection.wrap(c, pool);
  }

  /** This runtime's name, used for its pools and threads. */
  public String name() {
    return name;
  }

  private void checkNotClosed() {
    if (closed) {
      throw new IllegalStateException(name + " is closed");
    }
  }

  @Override
  public void close() {
    closed = true;
    watchdog.shutdownNow();
    synchronized (pools) {
      for (int i = 0; i < pools.length(); i++) {
        Pool pool = pools.get(i);
        if (pool != null) {
          pool.close();
        }
      }
      if (lockPool != null) {
        lockPool.close();
      }
    }
  }

  private static void requireOptions(TxOptions options) {
    if (options == null) {
      throw new IllegalArgumentException("options must not be null");
    }
  }

  // ---- listener --------------------------------------------------------------------------------

  private void fireBegin(TxImpl tx) {
    if (listener != null) {
      fire(l -> l.onBegin(tx));
    }
  }

  private void fireCommit(TxImpl tx, Unit unit) {
    if (listener != null) {
      Duration elapsed = unit.age();
      fire(l -> l.onCommit(tx, elapsed));
    }
  }

  private void fireRollback(TxImpl tx, Throwable cause) {
    if (listener != null) {
      fire(l -> l.onRollback(tx, cause));
    }
  }

  private void fireRetry(String unitName, int next, Throwable cause, Duration delay) {
    LOG.debug("unit '{}' will retry (attempt {}) in {} after: {}", unitName, next, delay, summary(cause));
    if (listener != null) {
      fire(l -> l.onRetry(unitName, next, cause, delay));
    }
  }

  void fire(Consumer<TxListener> event) {
    if (listener == null) {
      return;
    }
    try {
      event.accept(listener);
    } catch (Throwable e) { // an Error from a listener (a metrics jar missing a class) must not change an outcome
      LOG.warn("TxListener {} threw; ignored", listener, e);
    }
  }
}
