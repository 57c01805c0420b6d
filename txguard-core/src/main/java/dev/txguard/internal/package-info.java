/**
 * txguard's transaction runtime: how a unit of work is run, and where each guarantee of {@link
 * dev.txguard.Database} is enforced. Nothing here is API; {@code dev.txguard} is.
 *
 * <h2>One attempt of a unit ({@link dev.txguard.internal.Unit})</h2>
 *
 * <pre>
 *   UnitOpener.open: borrow a connection of the level's pool (within the unit's time), watch it
 *     │
 *     ▼
 *   ACTIVE ──(owner: commit or rollback begins)──► ENDING ──► COMMITTED
 *     │                                              └─────► ROLLED_BACK
 *     └──(watchdog: the deadline passed)──► TIMED_OUT (statement cancelled, connection aborted)
 *     │
 *   release: the connection goes back (reset first if the session changed), or was discarded
 * </pre>
 *
 * Whoever leaves ACTIVE first owns the connection's end: the watchdog never touches a unit that is
 * committing, and the owner never hands back a connection the watchdog discarded. A unit is
 * <em>aborted</em> (it can only roll back) after any failed statement outside a savepoint, a
 * refused statement, a failed joined call, a lost connection, or a transaction found ended
 * elsewhere; the driver's transaction state, read without a round trip, is the truth for the first
 * and last of these (where the dialect can read it; otherwise the unit's own record of failed
 * statements is).
 *
 * <h2>Where each guarantee lives</h2>
 *
 * <ul>
 *   <li><b>Always ends, commit or rollback</b>: {@link dev.txguard.internal.RetryLoop#run}
 *       (callback units) and {@link dev.txguard.internal.ManualUnits} (handles; a handle that
 *       becomes unreachable is rolled back by the cleaner in {@link
 *       dev.txguard.internal.ManualHandle}).
 *   <li><b>Retries of retryable errors only</b>: the decision and the backoff schedule are pure
 *       functions in {@link dev.txguard.internal.RetryPolicy}; SQLSTATE classification over the
 *       cycle-safe cause chain is {@link dev.txguard.internal.Failures}; the loop and the
 *       suppressed earlier failures are {@link dev.txguard.internal.RetryLoop}.
 *   <li><b>Nothing commits after a swallowed error</b>: {@link dev.txguard.internal.Unit#commit()}
 *       refuses an aborted unit; the {@code Tx} statement methods check {@code Unit.checkUsable()}
 *       first, while SQL sent through {@code tx.connection()} ({@code GuardedConnection}) checks
 *       only that the unit and its transaction are open, so such a statement after a swallowed
 *       error reaches the server (PostgreSQL refuses it in an aborted transaction, SQLSTATE 25P02);
 *       the commit check above holds either way.
 *   <li><b>Deadlines</b>: the dialect's prelude, sent by {@link dev.txguard.internal.UnitSession}
 *       at the unit's start ({@code SET LOCAL} limits on PostgreSQL; session limits put back by the
 *       epilogue at release on MariaDB); the {@link dev.txguard.internal.Watchdog} ends a unit
 *       still running at its deadline.
 *   <li><b>A sealed unit</b>: the dialect's {@link dev.txguard.internal.dialect.SqlReader} reads
 *       every SQL text a unit sends (through {@link dev.txguard.internal.TxImpl}, {@link
 *       dev.txguard.internal.GuardedConnection} and {@link dev.txguard.internal.StatementWatcher});
 *       {@code Unit.admit} refuses transaction control and notes session changes; {@link
 *       dev.txguard.internal.SessionState} resets them at release, through {@link
 *       dev.txguard.internal.UnitSession} ({@link dev.txguard.internal.SessionConnection} does the
 *       same for DataSource connections outside units).
 *   <li><b>Levels that cannot deadlock</b>: {@link dev.txguard.internal.ThreadContext} carries each
 *       thread's level per database; {@link dev.txguard.internal.Pools} keeps one pool per level;
 *       an independent unit opened while the thread holds a connection takes the next level.
 *   <li><b>Leaks and pool exhaustion are explained</b>: {@link dev.txguard.internal.Watchdog} (leak
 *       sweeps) and {@link dev.txguard.internal.UnitOpener} (who holds the connections).
 *   <li><b>No listener or hook can change an outcome</b>: {@link dev.txguard.internal.Listeners}
 *       and {@link dev.txguard.internal.Hooks} catch every throwable.
 *   <li><b>A lost COMMIT is resolved before anyone hears "unknown"</b>: {@code Unit.commit()} has
 *       {@link dev.txguard.internal.CommitResolver} ask for the transaction id before COMMIT and
 *       decide a COMMIT whose connection is lost, asking {@code pg_xact_status} on a new connection
 *       ({@link dev.txguard.internal.LostCommitInquiry}); {@link
 *       dev.txguard.internal.CommitResolutions} counts the answers.
 *   <li><b>Pools the server can hold</b>: {@link dev.txguard.internal.ServerCapacity}, at build.
 *   <li><b>Secrets stay secret; connecting is bounded</b>: {@link
 *       dev.txguard.internal.ConnectionSource}.
 *   <li><b>Connections outside units</b> (advisory-lock sessions, {@code db.dataSource()}, {@code
 *       db.openConnection()}): {@link dev.txguard.internal.LentConnections}.
 * </ul>
 *
 * <h2>The dialect seam ({@link dev.txguard.internal.dialect.Dialect})</h2>
 *
 * Nothing in this package names a database product. Everything product-specific sits behind one
 * interface in {@code dev.txguard.internal.dialect}, of which the engine holds one instance, chosen
 * by {@link dev.txguard.internal.dialect.Dialects} from the JDBC URL's subprotocol or, for a
 * DataSource, from a connection's metadata (an unsupported product fails {@code build()}, naming
 * what is supported):
 *
 * <ul>
 *   <li>failure classification (SQLSTATE and vendor code): retryable, connection lost, cancelled,
 *       lock not available ({@link dev.txguard.internal.Failures}, {@code Unit}, {@code
 *       AdvisoryLocks} ask it);
 *   <li>the transaction status without a round trip ({@code driverConnection} once per unit, then
 *       {@code transactionState}), or null, and the unit tracks failed statements itself;
 *   <li>the unit's prelude (isolation, read-only, time limits: {@code SET LOCAL} on PostgreSQL),
 *       the pool's session setup, and the session reset at release ({@code DISCARD ALL});
 *   <li>advisory-lock SQL (transaction- and session-scoped, two int keys) and insert-or-get SQL;
 *   <li>the rules for reading SQL text ({@link dev.txguard.internal.dialect.SqlRules}: transaction
 *       control, statements that commit implicitly, session changes, lexical forms), applied by the
 *       product-neutral {@link dev.txguard.internal.dialect.SqlReader}.
 * </ul>
 *
 * The second database is {@code MariaDbDialect} (MariaDB and MySQL; txguard-core/MARIADB.md maps
 * each guarantee): it publishes no transaction status, so the unit's own record of failed
 * statements makes it aborted after any error (whether or not InnoDB rolled back); it refuses
 * statements that commit implicitly; its prelude sets session limits that its epilogue ({@code
 * Dialect.unitEpilogue}, run at release) puts back, as there is no {@code SET LOCAL}; its advisory
 * locks are {@code GET_LOCK} slots ({@code GetLockSql}); its driver calls sit in {@code
 * MariaDbDriver}. The one use of another library's internal class (pgjdbc's transaction state) is
 * isolated in {@code PgjdbcState}, with a fallback when it is absent or does not unwrap.
 *
 * <h2>Threads</h2>
 *
 * A unit and its {@code Tx} are confined to the thread that runs them, but for the watchdog's
 * deadline, which moves the state with a compare-and-set. The engine and its parts are thread-safe.
 */
package dev.txguard.internal;
