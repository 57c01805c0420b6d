package dev.txguard.test;

import dev.txguard.Tx;
import dev.txguard.TxListener;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Makes a {@link dev.txguard.Database} under test fail on purpose, through its public API only:
 * build the database over {@link #wrap(DataSource)} with {@link #listener()} registered, then
 * {@link #inject(Fault)} faults around the code under test. The {@link TxguardExtension} does the
 * wiring for you; by hand:
 *
 * <pre>{@code
 * FaultInjector faults = FaultInjector.create();
 * Database db = Database.builder()
 *     .dataSource(faults.wrap(plainDataSource))   // an unpooled DataSource, e.g. PGSimpleDataSource
 *     .listener(faults.listener())
 *     .build();
 * try (FaultScope scope = faults.inject(Fault.serializationFailure().atStatement(2).inUnit("pay"))) {
 *   service.pay(42);                            // attempt 1 fails at its 2nd statement, attempt 2 runs
 * }
 * assertThat(faults.injections()).hasSize(1);
 * }</pre>
 *
 * <p>How it knows the unit: {@link TxListener#onBegin} tells which connection each attempt runs on
 * ({@code tx.connection()} unwraps to the wrapped physical connection); from then until the
 * attempt's COMMIT or ROLLBACK, every statement executed on that connection counts. Without the
 * listener nothing is counted and no fault fires. Thread-safe.
 */
public final class FaultInjector {
  private final List<Active> active = new CopyOnWriteArrayList<>();
  private final List<Injection> injections = Collections.synchronizedList(new ArrayList<>());
  private final Set<TrackedConnection> unpooled = ConcurrentHashMap.newKeySet();
  private final Set<TrackedConnection> all = ConcurrentHashMap.newKeySet();
  private final Map<Tx, UnitState> units = new ConcurrentHashMap<>();
  private volatile Numbering numbering = new Numbering(null);
  private final ThreadLocal<UnitState> lastEnded = new ThreadLocal<>();
  private final ThreadLocal<UnitState> retrying = new ThreadLocal<>();
  private final TxListener listener = new Listener();
  private volatile Tap tap;

  private FaultInjector() {}

  /** {@return a new injector with no active fault} */
  public static FaultInjector create() {
    return new FaultInjector();
  }

  /**
   * A DataSource handing out {@code dataSource}'s connections under this injector. Give it to
   * {@code Database.Builder#dataSource} together with {@link #listener()}.
   *
   * @param dataSource the real, unpooled DataSource of the database under test
   * @return a DataSource whose connections this injector tracks and fails
   * @throws IllegalArgumentException if {@code dataSource} is null
   */
  public DataSource wrap(DataSource dataSource) {
    if (dataSource == null) {
      throw new IllegalArgumentException("dataSource must not be null");
    }
    return new TrackedDataSource(this, dataSource);
  }

  /** {@return the listener that tells this injector which unit runs on which connection} */
  public TxListener listener() {
    return listener;
  }

  /**
   * Activates {@code fault} until the returned scope is closed (use try-with-resources). It applies
   * to units on every thread of the databases built over this injector.
   *
   * @param fault what to fail, where, and how often
   * @return the scope; closing it deactivates the fault, and it counts how often the fault fired
   * @throws IllegalArgumentException if {@code fault} is null
   */
  public FaultScope inject(Fault fault) {
    if (fault == null) {
      throw new IllegalArgumentException("fault must not be null");
    }
    Active a = new Active(fault);
    active.add(a);
    return new FaultScope(fault, a.fired, () -> active.remove(a));
  }

  /**
   * Runs {@code work} with {@code fault} active, and returns what it returned.
   *
   * @param <T> the type of the work's result
   * @param fault active while {@code work} runs, deactivated when it ends
   * @param work run once, on the calling thread
   * @return what {@code work} returned
   * @throws Exception what {@code work} threw
   */
  public <T> T during(Fault fault, Callable<T> work) throws Exception {
    try (FaultScope ignored = inject(fault)) {
      return work.call();
    }
  }

  /**
   * {@return every failure injected since this injector was created or {@link #reset()}, oldest
   * first}
   */
  public List<Injection> injections() {
    synchronized (injections) {
      return List.copyOf(injections);
    }
  }

  /** Deactivates every fault and forgets the injections made so far. */
  public void reset() {
    active.clear();
    injections.clear();
  }

  // ---- package-private: the extension, the leak checker and the retry-safety check ------------

  /** Receives the injector's view of units, for the retry-safety check. */
  interface Tap {
    void begun(UnitState unit);

    void retrying(UnitState failed);

    void ended(UnitState unit, boolean committed);
  }

  void tap(Tap tap) {
    this.tap = tap;
  }

  /**
   * Restarts the count behind {@link Fault#ordinal}: the next unit {@code thread} begins is unit 1.
   * Until the next call, units begun on other threads (a queue's background units, say) get ordinal
   * 0, which no ordinal fault targets; {@code null} numbers the units of every thread.
   */
  void restartOrdinals(Thread thread) {
    numbering = new Numbering(thread); // one write: a unit counts under the old one or the new
  }

  /**
   * {@return connections opened outside the pools (e.g. {@code db.openConnection()}) and not closed
   * yet}
   */
  List<TrackedConnection> openUnpooled() {
    return List.copyOf(unpooled);
  }

  /** {@return every open connection, pooled or not} */
  List<TrackedConnection> openConnections() {
    return all.stream().filter(c -> !c.closed).toList();
  }

  Connection track(Connection real) {
    List<StackTraceElement> stack = callerStack();
    boolean pooled =
        Arrays.stream(Thread.currentThread().getStackTrace())
            .anyMatch(f -> f.getClassName().startsWith("com.zaxxer.hikari."));
    Connection proxy = TrackedConnection.wrap(this, real, pooled ? null : stack);
    TrackedConnection tracked = ((Tracked) proxy).tracking();
    all.add(tracked);
    if (!pooled) {
      unpooled.add(tracked);
    }
    return proxy;
  }

  void closed(TrackedConnection c) {
    unpooled.remove(c);
    all.remove(c);
  }

  /** The fault to fire at this point of {@code unit}, if any (position 0: COMMIT); records it. */
  Fault point(UnitState unit, int position, String sql) {
    for (Active a : active) {
      if (a.fires(unit, position)) {
        Injection injection =
            new Injection(unit.name, unit.attempt, position, sql, a.fault.sqlState);
        injections.add(injection);
        return a.fault;
      }
    }
    return null;
  }

  /** This library's classes that record stacks, left out of the stacks they record. */
  private static final Set<String> OWN =
      Set.of(
          FaultInjector.class.getName(),
          FaultInjector.class.getName() + "$Listener",
          FaultInjector.class.getName() + "$TrackedDataSource",
          TrackedConnection.class.getName(),
          TrackedConnection.class.getName() + "$TrackedStatement",
          UnitLog.class.getName(),
          UnitLog.class.getName() + "$Entry",
          UnitLog.class.getName() + "$Listener",
          Listeners.class.getName());

  /**
   * {@return the caller's stack without this library's, txguard's and the JDK's reflection frames}
   */
  static List<StackTraceElement> callerStack() {
    List<StackTraceElement> frames = new ArrayList<>();
    for (StackTraceElement f : Thread.currentThread().getStackTrace()) {
      String c = f.getClassName();
      if (OWN.contains(c)
          || c.startsWith("dev.txguard.internal.")
          || c.equals("dev.txguard.Database")
          || c.startsWith("java.lang.Thread")
          || c.startsWith("jdk.proxy")
          || c.startsWith("com.zaxxer.hikari.")
          || c.startsWith("jdk.internal.reflect")
          || c.startsWith("java.lang.reflect")) {
        continue;
      }
      frames.add(f);
    }
    return List.copyOf(frames);
  }

  private static Tracked tracked(Tx tx) {
    try {
      Connection c = tx.connection();
      return c.isWrapperFor(Tracked.class) ? c.unwrap(Tracked.class) : null;
    } catch (SQLException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Which units get ordinals (those of {@code only}, or of every thread when null), and the count.
   */
  private record Numbering(Thread only, AtomicInteger count) {
    Numbering(Thread only) {
      this(only, new AtomicInteger());
    }
  }

  /** An active fault with its own count and random generator. */
  private static final class Active {
    final Fault fault;
    final AtomicInteger left;
    final AtomicInteger fired = new AtomicInteger();
    final Random random;

    Active(Fault fault) {
      this.fault = fault;
      this.left = new AtomicInteger(fault.times);
      this.random = new Random(fault.seed);
    }

    boolean fires(UnitState unit, int position) {
      if (fault.unit != null && !fault.unit.equals(unit.name)) {
        return false;
      }
      if (fault.ordinal != 0 && (unit.ordinal != fault.ordinal || unit.attempt != 1)) {
        return false;
      }
      boolean here =
          switch (fault.where) {
            case STATEMENT -> position == fault.statement;
            case COMMIT -> position == 0;
            case RANDOM -> draw();
          };
      if (!here || left.getAndDecrement() <= 0) {
        return false;
      }
      fired.incrementAndGet();
      return true;
    }

    private boolean draw() {
      synchronized (random) {
        return random.nextDouble() < fault.probability;
      }
    }
  }

  private final class Listener implements TxListener {
    @Override
    public void onBegin(Tx tx) {
      int ordinal;
      UnitState retried = retrying.get();
      if (tx.attempt() > 1 && retried != null && retried.name.equals(tx.name())) {
        ordinal = retried.ordinal;
      } else {
        Numbering n = numbering;
        boolean counted = n.only == null || n.only == Thread.currentThread();
        ordinal = tx.attempt() == 1 && counted ? n.count.incrementAndGet() : 0;
      }
      retrying.remove();
      UnitState unit =
          new UnitState(
              tx.name(), tx.attempt(), ordinal, Thread.currentThread().getName(), callerStack());
      units.put(tx, unit);
      Tracked t = tracked(tx);
      if (t != null) {
        t.tracking().begin(unit);
      }
      Tap current = tap;
      if (current != null) {
        current.begun(unit);
      }
    }

    @Override
    public void onCommit(Tx tx, Duration elapsed) {
      ended(tx, true);
    }

    @Override
    public void onRollback(Tx tx, Throwable cause) {
      ended(tx, false);
    }

    private void ended(Tx tx, boolean committed) {
      UnitState unit = units.remove(tx);
      if (unit != null) {
        lastEnded.set(unit);
        Tap current = tap;
        if (current != null) {
          current.ended(unit, committed);
        }
      }
    }

    @Override
    public void onRetry(String name, int nextAttempt, Throwable cause, Duration delay) {
      UnitState failed = lastEnded.get();
      if (failed == null || !failed.name.equals(name)) {
        return;
      }
      retrying.set(failed);
      Tap current = tap;
      if (current != null) {
        current.retrying(failed);
      }
    }
  }

  /** Hands out the wrapped source's connections as tracked connections. */
  private static final class TrackedDataSource implements DataSource {
    private final FaultInjector injector;
    private final DataSource target;

    TrackedDataSource(FaultInjector injector, DataSource target) {
      this.injector = injector;
      this.target = target;
    }

    @Override
    public Connection getConnection() throws SQLException {
      return injector.track(target.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
      return injector.track(target.getConnection(username, password));
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
      return target.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
      target.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
      target.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
      return target.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      return target.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      return iface.isInstance(this) ? iface.cast(this) : target.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
      return iface.isInstance(this) || target.isWrapperFor(iface);
    }
  }
}
