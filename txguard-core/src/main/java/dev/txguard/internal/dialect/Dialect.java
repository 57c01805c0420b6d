package dev.txguard.internal.dialect;

import dev.txguard.Isolation;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Everything the runtime needs to know about one database product: how to read its SQLSTATEs, how
 * to tell its transaction status without a round trip, the SQL of its per-unit time limits,
 * advisory locks and insert-or-get, how to put a session back as the pool handed it out, and how to
 * read SQL text for transaction control and session changes. The engine holds exactly one, chosen
 * by {@link Dialects} from the JDBC URL or the connection's metadata; nothing outside this package
 * names a database product. A second database is one new implementation plus its tests.
 *
 * <p>Implementations are immutable and thread-safe. The hot path calls {@link #driverConnection},
 * {@link #transactionState} and {@link #reader()} once or more per unit: they must not allocate or
 * touch the network.
 */
public interface Dialect {

  /** The database product, as named in messages, e.g. {@code "PostgreSQL"}. */
  String name();

  /**
   * The driver properties txguard sets on connections it opens from a URL: those that bound
   * connecting to {@code connectionTimeoutMs} (each in the unit its driver reads, e.g. pgjdbc's
   * {@code loginTimeout} and {@code connectTimeout} in seconds), and any the dialect needs.
   */
  java.util.Map<String, String> connectProperties(long connectionTimeoutMs);

  // ---- failure classification ------------------------------------------------------------------

  /**
   * Whether a statement that failed with {@code e} may succeed if the whole unit runs again
   * (PostgreSQL: SQLSTATE 40001 serialization failure, 40P01 deadlock). Reads {@code e} alone, not
   * its causes or next exceptions. An exception without SQLSTATE or error code is never retryable.
   */
  boolean retryable(SQLException e);

  /** Whether {@code e} says the connection is gone (PostgreSQL: class 08, 57P01-57P03). */
  boolean connectionLost(SQLException e);

  /**
   * Whether {@code e} is a statement cancelled by a time limit or a lock wait that ran out
   * (PostgreSQL: 57014 query_canceled, 55P03 lock_not_available).
   */
  boolean cancelled(SQLException e);

  /** Whether {@code e} is a lock wait that ran out (PostgreSQL: 55P03 lock_not_available). */
  boolean lockNotAvailable(SQLException e);

  // ---- the connection's transaction status
  // -------------------------------------------------------

  /**
   * The driver's own connection under {@code pooled}, from which {@link #transactionState} reads
   * the status without a round trip, or null when the driver cannot tell it (then the runtime
   * tracks the status from the statements it sees). Called once per unit. Never throws.
   */
  Connection driverConnection(Connection pooled);

  /**
   * The status of the transaction on {@code driver} (from {@link #driverConnection}) as the driver
   * last saw it, without a round trip.
   */
  TransactionState transactionState(Connection driver);

  /**
   * Whether a failed statement leaves the transaction able only to roll back (PostgreSQL: always,
   * until ROLLBACK TO SAVEPOINT). Used when the driver cannot tell the status.
   */
  boolean errorAbortsTransaction();

  /**
   * How many connections the server lets this session's user open and how many other clients hold
   * now, read with one query on {@code conn} (a pooled connection; the caller rolls back).
   *
   * @param ownOpen how many connections the caller's pools have open now (not counted as others)
   */
  ConnectionLimit connectionLimit(Connection conn, int ownOpen) throws SQLException;

  /** Asks the server to cancel the statement running on {@code pooled}, from another thread. */
  void cancelRunningStatement(Connection pooled) throws SQLException;

  // ---- per-unit SQL
  // ------------------------------------------------------------------------------

  /**
   * The statement(s) that open a unit's transaction with its characteristics and time limits, sent
   * as its first statement, or null when a unit with these options needs none.
   *
   * @param timeoutMs the unit's time left in ms (at least 1), or 0 for no time limit
   */
  String unitPrelude(Isolation isolation, boolean readOnly, long timeoutMs);

  /**
   * Whether a unit that is read-only and needs no other prelude is made so by the driver ({@code
   * Connection.setReadOnly(true)} before its first statement) instead of a prelude statement:
   * pgjdbc then opens the transaction with {@code BEGIN READ ONLY} in the first statement's round
   * trip (its default {@code readOnlyMode=transaction}), where a prelude costs a round trip of its
   * own.
   */
  default boolean readOnlyByDriver() {
    return false;
  }

  /**
   * The statement that puts back, after the unit's transaction ended (committed or rolled back),
   * what {@link #unitPrelude} changed beyond the transaction, or null when nothing outlives it
   * (PostgreSQL: SET LOCAL ends with the transaction). Run before the connection goes back to the
   * pool; if it fails the connection is discarded.
   */
  default String unitEpilogue(Isolation isolation, boolean readOnly, long timeoutMs) {
    return null;
  }

  /**
   * The SQL the pool runs on every new connection (and after a session reset) so that a unit with
   * default options runs READ COMMITTED, READ WRITE whatever the server's or role's defaults say.
   */
  String sessionSetup();

  /**
   * What the session's application name was when a borrower's first change was seen, as the server
   * last reported it (no round trip), or null when unknown.
   */
  String applicationName(Connection pooled);

  /**
   * Puts the server side of the session back as the pool handed it out (settings, locks, temporary
   * objects, prepared statements...), then runs {@link #sessionSetup()} and restores {@code
   * applicationName} (when not null). {@code conn} is in autocommit mode with no transaction open.
   *
   * @throws SQLException if any step failed: the caller discards the connection
   */
  void resetSession(Connection conn, String applicationName) throws SQLException;

  // ---- advisory locks (two int keys: txguard's namespace, then the key's id)
  // ---------------------

  /** A transaction-scoped lock, waiting; parameters (namespace, id). */
  String transactionLock(boolean shared);

  /**
   * A transaction-scoped exclusive lock if free now, returning one boolean; parameters (namespace,
   * id).
   */
  String tryTransactionLock();

  /**
   * Transaction-scoped exclusive locks on many ids, taken in the order of the array; parameters
   * (namespace, Integer[] ids sorted ascending); or null when the database binds no arrays, and the
   * runtime takes them one by one with {@link #transactionLock}, in the same order.
   */
  String transactionLockAll();

  /**
   * A query locking the rows of {@code table} whose {@code idColumn} is one of {@code count} ids,
   * in ascending id order, returning one row per locked row. All names are checked identifiers.
   *
   * <p>When {@link #bindsArrays()} the query has one array parameter, else {@code count}.
   */
  String lockRows(String table, String idColumn, int count);

  /** Whether {@link #lockRows} binds the ids as one array parameter (PostgreSQL) or one each. */
  boolean bindsArrays();

  /** A session-scoped lock, waiting; parameters (namespace, id). */
  String sessionLock(boolean shared);

  /**
   * A session-scoped exclusive lock if free now, returning one boolean; parameters (namespace, id).
   */
  String trySessionLock();

  /** Releases a session-scoped lock; parameters (namespace, id). */
  String sessionUnlock(boolean shared);

  /**
   * Bounds the next lock wait of {@link #sessionLock} in the current transaction to {@code ms} (at
   * least 1).
   */
  String transactionLockTimeout(long ms);

  /**
   * Whether {@link #sessionLock} returns one row whose first column is 1 when the lock was granted
   * and 0 or null when the wait ran out (MariaDB's {@code GET_LOCK}), instead of failing with a
   * {@link #lockNotAvailable} error (PostgreSQL).
   */
  default boolean lockGrantInResult() {
    return false;
  }

  // ---- insert-or-get
  // -----------------------------------------------------------------------------

  /**
   * An insert of {@code columns} (one parameter each) into {@code table} that, when a row with the
   * same {@code keyColumns} exists, does nothing and does not abort the transaction; it returns
   * {@code returning} of the inserted row, or no row. All names are checked identifiers.
   */
  String insertUnlessConflict(
      String table, List<String> columns, List<String> keyColumns, String returning);

  /**
   * Whether {@link #insertUnlessConflict} returns rows (PostgreSQL, MariaDB: RETURNING); when not
   * (MySQL), the runtime runs it as an update and reads the row with a SELECT.
   */
  default boolean insertReturnsRow() {
    return true;
  }

  // ---- reading SQL text
  // --------------------------------------------------------------------------

  /**
   * The reader that finds transaction control (refused inside a unit), statements that commit
   * implicitly (refused too; none on PostgreSQL) and session changes (reset at release).
   */
  SqlReader reader();

  // ---- a lost COMMIT
  // -------------------------------------------------------------------------------

  /**
   * Whether a COMMIT whose connection was lost can be resolved by asking the server, on another
   * connection, about the transaction's id ({@code CommitResolver}: PostgreSQL 10+, {@code
   * pg_xact_status}). Where not, such a COMMIT ends in {@code CommitOutcomeUnknownException}.
   */
  default boolean resolvesLostCommits() {
    return false;
  }

  /** The server process id of the session behind {@code pooled}, or 0 when it cannot be told. */
  default int backendPid(Connection pooled) {
    return 0;
  }
}
