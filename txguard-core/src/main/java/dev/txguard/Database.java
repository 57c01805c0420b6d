package dev.txguard;

import dev.txguard.internal.ConnectionSource;
import dev.txguard.internal.Engine;
import dev.txguard.internal.dialect.Dialects;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import javax.sql.DataSource;

/**
 * The entry point: a PostgreSQL, MariaDB or MySQL database (the latter two mapped as
 * txguard-core/MARIADB.md says) reached through txguard's units of work. Thread-safe; build one per
 * database and share it; close it at shutdown.
 *
 * <pre>{@code
 * try (Database db = Database.builder()
 *     .url("jdbc:postgresql://localhost:5432/shop").user("shop").password("secret")
 *     .poolSize(10)
 *     .build()) {
 *   long orderId = db.inTx(tx -> {
 *     tx.update("update stock set qty = qty - ? where sku = ?", 1, "A-1");
 *     return tx.queryOne("insert into orders(sku) values (?) returning id",
 *         rs -> rs.getLong(1), "A-1").orElseThrow();
 *   });
 * }
 * }</pre>
 *
 * <h2>What a unit guarantees</h2>
 *
 * <ul>
 *   <li>It commits when the callback returns and rolls back when it throws; its connection always
 *       goes back to the pool.
 *   <li>Only retryable failures run the callback again: SQLSTATE 40001 or 40P01 anywhere in the
 *       cause chain (its first 1,000 causes, each once, and each one's {@code getNextException()}
 *       list; a chain that loops or a {@code getCause()} that throws ends the walk there) or as the
 *       error that aborted the unit, when the callback rethrew it as another exception, or the loss
 *       of the unit's own connection before COMMIT. At most {@link TxOptions#maxAttempts(int)}
 *       times, within the unit's timeout. A connection lost during COMMIT gives {@link
 *       CommitOutcomeUnknownException} and is never retried.
 *   <li>After the first SQL error the unit is aborted; a callback that swallows the error cannot
 *       commit ({@link TransactionAbortedException}).
 *   <li>{@code inTx} inside a unit of the same database on the same thread joins that unit; only
 *       the outermost call retries.
 * </ul>
 *
 * <h2>Connections go back as they were lent</h2>
 *
 * A unit, a manual {@link TxHandle} or a {@link #dataSource()} connection that changed its session
 * (settings, search path, role, session advisory locks, temporary tables, LISTEN, prepared
 * statements, JDBC schema, client info, holdability, type map or network timeout) has it reset with
 * {@code DISCARD ALL} and the JDBC values put back before the connection serves anyone else, or the
 * connection is discarded; one that changed nothing pays no extra round trip. Every session starts
 * {@code READ COMMITTED, READ WRITE}, whatever the server's defaults, so units run with their own
 * options. Transaction control sent as SQL inside a unit is refused. {@link Tx} lists exactly what
 * is seen.
 *
 * <h2>Connecting</h2>
 *
 * Every connection attempt, the first one in {@link Builder#build()} included, ends within about
 * {@link Builder#connectionTimeout(Duration)} (the driver's own bookkeeping adds up to a second or
 * so), also against a server that accepts and never answers: with a URL, the driver's {@code
 * loginTimeout} and {@code connectTimeout} default to it (a value given in the URL replaces it);
 * with a DataSource, HikariCP sets its login timeout, and the one connection {@code build()} opens
 * first to read which database it is waits at most the connection timeout. Passwords never appear
 * in messages, logs or reports: one given in the URL ({@code ?password=...} or {@code
 * user:password@host}) is taken out of it before anything sees it.
 *
 * <h2>Levels</h2>
 *
 * Every database keeps one connection pool per nesting level. The top level (0) has {@link
 * Builder#poolSize(int)} connections; each higher level, opened on first use, has {@link
 * Builder#levelPoolSize(int)}. {@link #inNewTx(TxFunction)} and {@link #isolated(Callable)} run one
 * level above the caller's, so code that waits, inside a unit, for an independent unit cannot
 * deadlock the pool it holds a connection of.
 *
 * <h2>Databases</h2>
 *
 * PostgreSQL: a {@code jdbc:postgresql:} URL, or a DataSource whose JDBC metadata names PostgreSQL.
 * Any other URL fails {@link Builder#url(String)}, and any other DataSource fails {@link
 * Builder#build()}, with a message naming the supported databases.
 *
 * <h2>Closing</h2>
 *
 * After {@link #close()}, every method that runs work or lends a connection ({@code inTx}, {@code
 * useTx}, {@code inNewTx}, {@code useNewTx}, {@code begin}, {@code dataSource()} connections,
 * {@link #openConnection()}, the methods of {@link #locks()}) throws {@link IllegalStateException}
 * naming the database: using a closed database is a programming error, as with a shut-down {@code
 * ExecutorService}. A unit waiting between attempts when its database is closed ends with that
 * exception, its failed attempts suppressed on it.
 */
// Longer than txguard's ~300-line rule on purpose: the entry point (about 390 lines, most of them
// javadoc) and its Builder (about 245) are one public API, spelled Database.builder() and
// Database.Builder as in the README, DESIGN.md and users' code; moving the Builder to a file of its
// own would rename a public type. Every method is a few lines; the work is in dev.txguard.internal.
public final class Database implements AutoCloseable {
  private final Engine engine;
  private final AdvisoryLocks locks;
  private final DataSource dataSource;

  private Database(Engine engine) {
    this.engine = engine;
    this.locks = new AdvisoryLocks(engine);
    this.dataSource = new UnitDataSource(engine);
  }

  /**
   * Starts building a database.
   *
   * @return a new builder with every setting at its default; not thread-safe
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs {@code work} in a unit with the database's default options and returns its result.
   *
   * @param <T> the type of the work's result
   * @param <X> the checked exception type the work may throw
   * @param work the unit's body; run again from the start on a retryable failure of a unit it
   *     opened
   * @return what {@code work} returned: after COMMIT, or, when it joined the thread's unit, before
   *     that unit ends
   * @throws X the work's own checked exception, unchanged, after rollback
   * @throws IllegalArgumentException if {@code work} is null
   * @see #inTx(TxOptions, TxFunction)
   */
  public <T, X extends Exception> T inTx(TxFunction<T, X> work) throws X {
    return engine.run(engine.defaults(), work, false);
  }

  /**
   * Runs {@code work} in a unit and returns its result. If the calling thread already runs a unit
   * of this database, {@code work} joins it (the options must be compatible: no stricter isolation,
   * not read-write inside read-only); otherwise a new unit begins, commits when {@code work}
   * returns, rolls back when it throws, and runs again on retryable failures.
   *
   * @param <T> the type of the work's result
   * @param <X> the checked exception type the work may throw
   * @param options isolation, read-only, timeout, retries and name of a new unit; checked against
   *     the unit when joining
   * @param work the unit's body; run again from the start on a retryable failure (never when
   *     joining)
   * @return what {@code work} returned: after COMMIT, or, when it joined the thread's unit, before
   *     that unit ends
   * @throws X the work's own checked exception, unchanged, after rollback
   * @throws StatementException a statement failed with a non-retryable error
   * @throws TransactionAbortedException the work swallowed an error that aborted the unit
   * @throws RetriesExhaustedException every attempt failed with a retryable error
   * @throws TxTimeoutException the unit ran past its timeout
   * @throws CommitOutcomeUnknownException the connection was lost during COMMIT
   * @throws PoolExhaustedException no connection became free in time
   * @throws IllegalArgumentException if {@code options} or {@code work} is null
   * @throws IllegalStateException if a joining call's options conflict with the unit's, or this
   *     database is closed
   */
  public <T, X extends Exception> T inTx(TxOptions options, TxFunction<T, X> work) throws X {
    return engine.run(options, work, false);
  }

  /**
   * Runs {@code work}, which returns nothing, in a unit with the default options.
   *
   * @param <X> the checked exception type the work may throw
   * @param work the unit's body; run again from the start on a retryable failure
   * @throws X the work's own checked exception, unchanged, after rollback
   * @see #inTx(TxOptions, TxFunction)
   */
  public <X extends Exception> void useTx(TxConsumer<X> work) throws X {
    engine.run(engine.defaults(), consumer(work), false);
  }

  /**
   * Runs {@code work}, which returns nothing, in a unit.
   *
   * @param <X> the checked exception type the work may throw
   * @param options the options of a new unit; checked against the unit when joining
   * @param work the unit's body; run again from the start on a retryable failure
   * @throws X the work's own checked exception, unchanged, after rollback
   * @see #inTx(TxOptions, TxFunction)
   */
  public <X extends Exception> void useTx(TxOptions options, TxConsumer<X> work) throws X {
    engine.run(options, consumer(work), false);
  }

  /**
   * Runs {@code work} in a new, independent unit with the default options, never joining the
   * caller's unit. When the calling thread holds a connection of this database at level L, the new
   * unit runs at level L+1.
   *
   * @param <T> the type of the work's result
   * @param <X> the checked exception type the work may throw
   * @param work the unit's body; run again from the start on a retryable failure
   * @return what {@code work} returned, after its own COMMIT succeeded
   * @throws X the work's own checked exception, unchanged, after rollback
   * @see #inNewTx(TxOptions, TxFunction)
   */
  public <T, X extends Exception> T inNewTx(TxFunction<T, X> work) throws X {
    return engine.run(engine.defaults(), work, true);
  }

  /**
   * Runs {@code work} in a new, independent unit that commits or rolls back on its own, whatever
   * the caller's unit later does. When the calling thread holds a connection of this database at
   * level L, the new unit takes its connection from the level L+1 pool, so it never waits for the
   * connection its caller holds.
   *
   * @param <T> the type of the work's result
   * @param <X> the checked exception type the work may throw
   * @param options the new unit's options (never compared with the caller's unit)
   * @param work the unit's body; run again from the start on a retryable failure
   * @return what {@code work} returned, after its own COMMIT succeeded
   * @throws IllegalStateException if level L+1 would exceed {@link Builder#maxLevels(int)}, or this
   *     database is closed
   * @throws X the work's own checked exception, unchanged, after rollback
   * @see #inTx(TxOptions, TxFunction) for the other failures
   */
  public <T, X extends Exception> T inNewTx(TxOptions options, TxFunction<T, X> work) throws X {
    return engine.run(options, work, true);
  }

  /**
   * Like {@link #inNewTx(TxFunction)}, for work that returns nothing.
   *
   * @param <X> the checked exception type the work may throw
   * @param work the unit's body; run again from the start on a retryable failure
   * @throws X the work's own checked exception, unchanged, after rollback
   */
  public <X extends Exception> void useNewTx(TxConsumer<X> work) throws X {
    engine.run(engine.defaults(), consumer(work), true);
  }

  /**
   * Like {@link #inNewTx(TxOptions, TxFunction)}, for work that returns nothing.
   *
   * @param <X> the checked exception type the work may throw
   * @param options the new unit's options (never compared with the caller's unit)
   * @param work the unit's body; run again from the start on a retryable failure
   * @throws X the work's own checked exception, unchanged, after rollback
   */
  public <X extends Exception> void useNewTx(TxOptions options, TxConsumer<X> work) throws X {
    engine.run(options, consumer(work), true);
  }

  private static <X extends Exception> TxFunction<Void, X> consumer(TxConsumer<X> work) {
    if (work == null) {
      throw new IllegalArgumentException("work must not be null");
    }
    return tx -> {
      work.accept(tx);
      return null;
    };
  }

  /**
   * Begins a manual unit with the default options; see {@link TxHandle}.
   *
   * @return the open unit's handle (not for concurrent use); close it, best in try-with-resources
   * @throws PoolExhaustedException if no connection became free in time
   */
  public TxHandle begin() {
    return engine.begin(engine.defaults());
  }

  /**
   * Begins a manual unit; see {@link TxHandle}. Use it in try-with-resources.
   *
   * @param options the unit's options; retries do not apply (a manual unit runs once)
   * @return the open unit's handle (not for concurrent use); close it, best in try-with-resources
   * @throws IllegalArgumentException if {@code options} is null
   * @throws PoolExhaustedException if no connection became free in time
   * @throws IllegalStateException if this database is closed
   */
  public TxHandle begin(TxOptions options) {
    return engine.begin(options);
  }

  /**
   * Runs {@code work} on the calling thread one level above the current one, with no current unit
   * of this database: units it opens take connections from the next level's pool and never join the
   * caller's unit. Other databases' units and levels on the thread are not affected.
   *
   * @param <T> the type of the work's result
   * @param work run once, on the calling thread
   * @return what {@code work} returned
   * @throws Exception what {@code work} threw
   * @throws IllegalStateException if the next level would exceed {@link Builder#maxLevels(int)}
   */
  public <T> T isolated(Callable<T> work) throws Exception {
    return engine.isolated(work);
  }

  /**
   * The calling thread's level for this database: the level of its innermost unit of this database,
   * or the level it was placed at ({@code 0} unless inside {@link #isolated} or a task wrapped by
   * {@link #context()}).
   *
   * @return 0 or more, below {@link #maxLevels()}
   */
  public int level() {
    return engine.level();
  }

  /**
   * Captures the level at which work started from here should run on other threads: one above the
   * caller's unit of this database when it has one, else the caller's level. See {@link
   * LevelContext}.
   *
   * @return an immutable context, usable on any thread and any number of times
   */
  public LevelContext context() {
    return new LevelContext(engine, engine.nextLevel());
  }

  /**
   * Session-scoped advisory locks; see {@link AdvisoryLocks}.
   *
   * @return the same thread-safe instance on every call
   */
  public AdvisoryLocks locks() {
    return locks;
  }

  /**
   * A {@link DataSource} view for code written against DataSource (jOOQ, Jdbi, Spring's
   * JdbcTemplate, plain JDBC): inside a unit of this database on the calling thread it hands out
   * the unit's connection, so that code joins the unit (its {@code close()} is a no-op; its {@code
   * commit}/{@code rollback}/{@code setAutoCommit} are refused); outside a unit it hands out a
   * pooled connection in autocommit mode, which the caller must close (until then it holds a slot
   * of the thread's level's pool: a unit the thread opens meanwhile needs another slot of that
   * pool, so do not hold such a connection across units on a pool of one; when it is closed, work
   * left uncommitted is rolled back and whatever it changed in its session is reset). Inside a
   * unit, transaction control sent as SQL through it is refused, as on {@link Tx#connection()}.
   * With Jdbi, set {@code jdbi.getConfig(Handles.class).setForceEndTransactions(false)} so that a
   * handle over a unit's connection may close without ending the transaction.
   *
   * @return the same thread-safe view on every call; its {@code getConnection(user, password)} is
   *     not supported
   */
  public DataSource dataSource() {
    return dataSource;
  }

  /**
   * Opens a new connection outside txguard's pools, from the same URL and credentials (or
   * DataSource) as the pools, in autocommit mode. The caller owns it and must close it. It is not a
   * unit: nothing on it is guarded, retried or timed. Meant for session-long work that must not
   * hold a pool slot, such as {@code LISTEN} (the job queue's control connection uses it).
   *
   * @return a new connection in autocommit mode, owned (and to be closed) by the caller
   * @throws TxException if the connection cannot be opened
   * @throws IllegalStateException if this database is closed
   */
  public Connection openConnection() {
    return engine.lent().openConnection();
  }

  /**
   * How many levels this database may use, as set by {@link Builder#maxLevels(int)}: units, {@link
   * #isolated} work and {@link #context()} tasks run at levels {@code 0} to {@code maxLevels() -
   * 1}, and one that would need level {@code maxLevels()} fails with {@link IllegalStateException}.
   * Thread-safe; constant for the database's life.
   *
   * @return at least 1; default 4
   */
  public int maxLevels() {
    return engine.maxLevels();
  }

  /**
   * Snapshots of this database's pools opened so far, ordered by level.
   *
   * @return a new list the caller may keep, one entry per pool opened so far, lowest level first;
   *     each pool's counts are read at a slightly different instant
   */
  public List<PoolStats> poolStats() {
    return engine.poolStats();
  }

  /**
   * Whether {@link #close()} has run. Once it has, opening a unit throws {@link
   * IllegalStateException}. Thread-safe.
   *
   * @return true after {@link #close()}
   */
  public boolean isClosed() {
    return engine.isClosed();
  }

  /** Closes every pool. Units still running fail; idempotent. */
  @Override
  public void close() {
    engine.close();
  }

  @Override
  public String toString() {
    return "Database[" + engine.name() + "]";
  }

  /**
   * Collects a database's settings; {@link #build()} validates them together and connects. Every
   * setter validates its argument at once.
   */
  public static final class Builder {
    /**
     * The most connections one pool may hold: more than any PostgreSQL server is set up to take.
     */
    private static final int MAX_POOL_SIZE = 10_000;

    private String url;
    private String user;
    private String password;
    private DataSource dataSource;
    private int poolSize = 10;
    private int levelPoolSize = 4;
    private int maxLevels = 4;
    private Duration connectionTimeout = Duration.ofSeconds(30);
    private TxOptions defaults = TxOptions.defaults();
    private Duration leakThreshold = Duration.ofSeconds(60);
    private TxListener listener;

    private Builder() {}

    /**
     * The JDBC URL, e.g. {@code jdbc:postgresql://localhost:5432/app}. Set this or {@link
     * #dataSource(DataSource)}. A password in it ({@code ?password=...}, or {@code user:password@}
     * before the host) is used but taken out of the URL that pools, logs and messages see; giving
     * one here and in {@link #password(String)} too fails {@link #build()}.
     *
     * @param url a {@code jdbc:postgresql:}, {@code jdbc:mariadb:} or {@code jdbc:mysql:} URL
     * @return this builder
     * @throws IllegalArgumentException if null, not a {@code jdbc:} URL, or the URL of a database
     *     txguard does not support (the message names the supported ones: PostgreSQL, MariaDB,
     *     MySQL)
     */
    public Builder url(String url) {
      if (url == null || !url.startsWith("jdbc:")) {
        throw new IllegalArgumentException(
            "url must be a JDBC URL starting with jdbc:, was "
                + ConnectionSource.redact(url, null));
      }
      Dialects.forUrl(url);
      this.url = url;
      return this;
    }

    /**
     * The user to connect as; default none (the driver's default).
     *
     * @param user the user name; null for none
     * @return this builder
     */
    public Builder user(String user) {
      this.user = user;
      return this;
    }

    /**
     * The password to connect with; default none.
     *
     * @param password the password; null for none. Never shown in messages or logs
     * @return this builder
     */
    public Builder password(String password) {
      this.password = password;
      return this;
    }

    /**
     * Connections come from this DataSource instead of a URL; txguard pools them with HikariCP (one
     * pool per level), so pass an unpooled DataSource such as {@code PGSimpleDataSource}.
     *
     * @param dataSource an unpooled DataSource of a supported database
     * @return this builder
     * @throws IllegalArgumentException if null
     */
    public Builder dataSource(DataSource dataSource) {
      if (dataSource == null) {
        throw new IllegalArgumentException("dataSource must not be null");
      }
      this.dataSource = dataSource;
      return this;
    }

    /**
     * Connections in the level-0 pool, kept open.
     *
     * @param poolSize 1 to 10,000; default 10
     * @return this builder
     * @throws IllegalArgumentException if out of that range
     */
    public Builder poolSize(int poolSize) {
      if (poolSize < 1 || poolSize > MAX_POOL_SIZE) {
        throw new IllegalArgumentException(
            "poolSize must be from 1 to " + MAX_POOL_SIZE + ", was " + poolSize);
      }
      this.poolSize = poolSize;
      return this;
    }

    /**
     * Connections in each pool above level 0 (opened when needed, closed when idle).
     *
     * @param levelPoolSize 1 to 10,000; default 4
     * @return this builder
     * @throws IllegalArgumentException if out of that range
     */
    public Builder levelPoolSize(int levelPoolSize) {
      if (levelPoolSize < 1 || levelPoolSize > MAX_POOL_SIZE) {
        throw new IllegalArgumentException(
            "levelPoolSize must be from 1 to " + MAX_POOL_SIZE + ", was " + levelPoolSize);
      }
      this.levelPoolSize = levelPoolSize;
      return this;
    }

    /**
     * How many levels (pools) the database may use; a unit that would run at level {@code
     * maxLevels} fails at once with {@link IllegalStateException} naming the levels in use.
     *
     * @param maxLevels at least 1 (1 disables levels); default 4
     * @return this builder
     * @throws IllegalArgumentException if less than 1
     */
    public Builder maxLevels(int maxLevels) {
      if (maxLevels < 1) {
        throw new IllegalArgumentException("maxLevels must be at least 1, was " + maxLevels);
      }
      this.maxLevels = maxLevels;
      return this;
    }

    /**
     * How long a unit waits for a free connection before {@link PoolExhaustedException}, and how
     * long any attempt to open a connection may take (login included) before it fails.
     *
     * @param timeout 250 ms (HikariCP's floor) to about 24.8 days ({@code Integer.MAX_VALUE} ms);
     *     default 30 s
     * @return this builder
     * @throws IllegalArgumentException if null or out of that range
     */
    public Builder connectionTimeout(Duration timeout) {
      if (timeout == null || timeout.compareTo(Duration.ofMillis(250)) < 0) {
        throw new IllegalArgumentException(
            "connectionTimeout must be at least 250 ms, was " + timeout);
      }
      TxOptions.requireAtMostMaxMillis("connectionTimeout", timeout);
      this.connectionTimeout = timeout;
      return this;
    }

    /**
     * The options of {@code inTx(work)}, {@code useTx(work)} and {@code begin()}.
     *
     * @param defaults default {@link TxOptions#defaults()}
     * @return this builder
     * @throws IllegalArgumentException if null
     */
    public Builder defaults(TxOptions defaults) {
      if (defaults == null) {
        throw new IllegalArgumentException("defaults must not be null");
      }
      this.defaults = defaults;
      return this;
    }

    /**
     * A unit open longer than this is reported as a possible leak (logged and sent to {@link
     * TxListener#onLeak}) with its name, age, thread and stack. It is not ended: give units a
     * {@link TxOptions#timeout} for that.
     *
     * @param threshold positive, at most about 24.8 days ({@code Integer.MAX_VALUE} ms); default 60
     *     s
     * @return this builder
     * @throws IllegalArgumentException if null, zero, negative or longer
     */
    public Builder leakThreshold(Duration threshold) {
      if (threshold == null || threshold.isZero() || threshold.isNegative()) {
        throw new IllegalArgumentException("leakThreshold must be positive, was " + threshold);
      }
      TxOptions.requireAtMostMaxMillis("leakThreshold", threshold);
      this.leakThreshold = threshold;
      return this;
    }

    /**
     * Receives unit events; default none.
     *
     * @param listener thread-safe and fast; {@link TxListener} says which thread calls it; what it
     *     throws is logged, never propagated
     * @return this builder
     * @throws IllegalArgumentException if null
     */
    public Builder listener(TxListener listener) {
      if (listener == null) {
        throw new IllegalArgumentException("listener must not be null");
      }
      this.listener = listener;
      return this;
    }

    /**
     * Validates the settings together and connects: the level-0 pool opens its first connection
     * here, so a wrong URL, host or password fails now.
     *
     * @return a started, thread-safe database; close it when done
     * @throws IllegalStateException if neither or both of {@code url} and {@code dataSource} are
     *     set, {@code user}/{@code password} are set with a {@code dataSource}, or a password is
     *     given both in the URL and by {@code password(...)}
     * @throws IllegalStateException also when the pools may open more connections than the server
     *     allows this role: {@code poolSize} (level 0) + {@code levelPoolSize} x ({@code maxLevels}
     *     - 1) + {@code poolSize} (the advisory-lock pool) above {@code max_connections} minus
     *     {@code superuser_reserved_connections} and {@code reserved_connections} (PostgreSQL 16+;
     *     a superuser may use all {@code max_connections}). When they fit the server but not what
     *     other clients leave free now, a WARN is logged instead (those clients may go away)
     * @throws TxException if the database cannot be reached within the connection timeout, or the
     *     {@code dataSource}'s database (by its JDBC metadata) is not supported, naming what is
     */
    public Database build() {
      if (url == null && dataSource == null) {
        throw new IllegalStateException("set url(...) or dataSource(...) before build()");
      }
      if (url != null && dataSource != null) {
        throw new IllegalStateException("set url(...) or dataSource(...), not both");
      }
      if (dataSource != null && (user != null || password != null)) {
        throw new IllegalStateException(
            "user(...) and password(...) apply to url(...); configure them on the dataSource instead");
      }
      return new Database(
          new Engine(
              new Engine.Config(
                  url,
                  user,
                  password,
                  dataSource,
                  poolSize,
                  levelPoolSize,
                  maxLevels,
                  connectionTimeout,
                  defaults,
                  leakThreshold,
                  listener)));
    }
  }
}
