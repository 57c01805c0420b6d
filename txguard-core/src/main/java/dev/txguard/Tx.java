package dev.txguard;

import java.sql.Connection;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One attempt of a unit of work on one connection. Handed to the callback of {@link
 * Database#inTx(TxFunction)} and friends, or obtained from {@link TxHandle#tx()}.
 *
 * <p>Statement methods bind {@code params} to the statement's {@code ?} placeholders in order
 * ({@code java.time} types, {@code UUID}, enums (by name) and {@code null} included) and throw
 * {@link StatementException} when the database refuses the statement. After the first error (on
 * PostgreSQL the server's failed transaction; on MariaDB and MySQL any failed statement outside a
 * savepoint, whether or not InnoDB rolled back) the unit is aborted: every later statement fails at
 * once, without a round trip, with {@link TransactionAbortedException}.
 *
 * <p>On MariaDB and MySQL the text below applies with their rules (txguard-core/MARIADB.md): {@code
 * #} comments, backticks and executable comments are read; statements that commit implicitly (DDL,
 * {@code LOCK TABLES}, ...) are refused like transaction control; the session reset is {@code
 * COM_RESET_CONNECTION}; and a transaction ended through the unwrapped driver connection is not
 * seen (the driver's status is not read).
 *
 * <h2>A sealed unit</h2>
 *
 * Whatever SQL a unit sends, by any path ({@link #update}, {@link #query}, statements of {@link
 * #connection()}, {@link Database#dataSource()} connections inside the unit, jOOQ or Jdbi on top of
 * them), txguard reads it before it reaches the server, with PostgreSQL's rules for comments,
 * quotes and dollar quotes (under either {@code standard_conforming_strings} setting):
 *
 * <ul>
 *   <li><b>Transaction control is the unit's alone.</b> A statement beginning with {@code COMMIT},
 *       {@code END}, {@code ROLLBACK}, {@code ABORT}, {@code BEGIN}, {@code START TRANSACTION},
 *       {@code SAVEPOINT}, {@code RELEASE} or {@code PREPARE TRANSACTION}, or setting the running
 *       transaction's characteristics ({@code SET TRANSACTION}, {@code SET transaction_isolation}
 *       and the like), also inside a multi-statement string, is refused with an {@link
 *       java.sql.SQLException} of SQLSTATE {@code 2D000} (wrapped in {@link StatementException} by
 *       this interface's methods), and the unit is aborted. A transaction ended by a path txguard
 *       does not see (the driver's connection from {@code unwrap}, the pool's statement from {@code
 *       ResultSet.getStatement()}) is found from the driver's transaction status before the unit's
 *       next statement and at its end: the unit then fails with {@link
 *       CommitOutcomeUnknownException}, never reports a commit or a rollback that did not happen,
 *       and its connection is discarded.
 *   <li><b>The connection goes back as it was lent.</b> When the unit may have changed its session,
 *       the connection is reset before anyone else gets it: {@code DISCARD ALL} (PostgreSQL
 *       documentation, "DISCARD": settings, role, search path, advisory locks, temporary tables,
 *       LISTEN, prepared statements, cursors, sequence state), then the session characteristics and
 *       application name the pool set, and the JDBC values put back; a connection that cannot be
 *       reset is discarded. "May have changed" means: a statement beginning with {@code SET} (not
 *       {@code SET LOCAL}), {@code RESET}, {@code DISCARD}, {@code LISTEN}, {@code UNLISTEN},
 *       {@code PREPARE}, {@code DEALLOCATE}, {@code DECLARE}, {@code LOAD}, {@code DO} or {@code
 *       CALL}; text, quoted or not, naming {@code set_config} (but for a call {@code
 *       set_config('name', 'value', true)} of constants, which ends with the transaction like
 *       {@code SET LOCAL}), {@code pg_settings}, session advisory locks, {@code nextval}/{@code
 *       setval}, temporary tables or {@code dblink}; a JDBC {@code setSchema}, {@code setCatalog},
 *       {@code setClientInfo}, {@code setHoldability}, {@code setTypeMap} or {@code
 *       setNetworkTimeout}; or an {@code unwrap} of the connection. A unit that does none of these
 *       pays no extra round trip. Not seen, so not reset: what a function or trigger changes
 *       without its name showing in the unit's SQL, SQL sent through {@code
 *       ResultSet.getStatement()}, and {@code currval}/{@code lastval} state left by a column
 *       default's {@code nextval} (read generated keys with {@code RETURNING}).
 *   <li><b>Options always hold.</b> Every pooled session starts {@code READ COMMITTED, READ WRITE}
 *       whatever the server's or role's defaults say, and {@code setReadOnly}/ {@code
 *       setTransactionIsolation} to other values than the unit's are refused, so a unit runs with
 *       its own {@link TxOptions#isolation} and {@link TxOptions#readOnly}.
 * </ul>
 *
 * <p>A {@code Tx} belongs to the thread running its unit and is not for concurrent use. Once its
 * unit has ended, every method but {@link #name()} and {@link #attempt()} throws {@link
 * IllegalStateException} naming the unit, or {@link TxTimeoutException} when it ended by running
 * past its timeout.
 */
public interface Tx {
  /**
   * The unit's connection, for plain JDBC, jOOQ or Jdbi. It belongs to the unit: {@code commit},
   * {@code rollback}, {@code close}, {@code setAutoCommit}, and {@code setReadOnly} or {@code
   * setTransactionIsolation} to another value than the unit's, are refused with {@link
   * IllegalStateException}, because the unit ends the transaction itself and runs with its own
   * options; transaction control sent as SQL is refused as described above. Statement errors on it
   * abort the unit just like errors through {@link #update}. Session changes made through it are
   * reset when the unit ends.
   *
   * @return the same connection for the whole attempt, a guarded view of the pooled one
   */
  Connection connection();

  /**
   * Runs an {@code INSERT}, {@code UPDATE}, {@code DELETE} or DDL statement.
   *
   * @param sql the statement, with {@code ?} placeholders; transaction control in it is refused
   * @param params the placeholders' values, in order: an {@code Instant} is bound as a UTC
   *     timestamp, an enum as its {@code name()}, an {@code Object[]} as an SQL array, anything
   *     else through {@code setObject}; pass {@code (Object) null} for one SQL NULL
   * @return the number of rows changed
   * @throws IllegalArgumentException if {@code sql} is null
   * @throws StatementException if the database refuses the statement
   * @throws TransactionAbortedException if an earlier error aborted the unit
   */
  int update(String sql, Object... params);

  /**
   * Runs a query and maps every row.
   *
   * @param <T> the mapped rows' type
   * @param sql the statement, with {@code ?} placeholders; transaction control in it is refused
   * @param mapper called once per row, with the result set on that row
   * @param params the placeholders' values, in order: an {@code Instant} is bound as a UTC
   *     timestamp, an enum as its {@code name()}, an {@code Object[]} as an SQL array, anything
   *     else through {@code setObject}; pass {@code (Object) null} for one SQL NULL
   * @return the mapped rows, in the query's order; never null
   * @throws IllegalArgumentException if {@code sql} or {@code mapper} is null
   * @throws StatementException if the database refuses the statement
   * @throws TransactionAbortedException if an earlier error aborted the unit
   */
  <T> List<T> query(String sql, RowMapper<T> mapper, Object... params);

  /**
   * Runs a query that returns at most one row.
   *
   * @param <T> the mapped rows' type
   * @param sql the statement, with {@code ?} placeholders; transaction control in it is refused
   * @param mapper called for the row, if there is one
   * @param params the placeholders' values, in order: an {@code Instant} is bound as a UTC
   *     timestamp, an enum as its {@code name()}, an {@code Object[]} as an SQL array, anything
   *     else through {@code setObject}; pass {@code (Object) null} for one SQL NULL
   * @return the mapped row, or empty when there is none (or the mapper returned null)
   * @throws IllegalStateException if the query returned more than one row
   * @throws StatementException if the database refuses the statement
   */
  <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... params);

  /**
   * Runs {@code work} as a nested atomic step: when it throws, everything it did is rolled back to
   * a savepoint, hooks it registered are dropped, and the exception propagates, but the unit stays
   * usable. This is how to recover from an expected error (e.g. a unique violation) inside a unit.
   * When {@code work} returns normally after swallowing an error that aborted the step, the step is
   * rolled back and {@link TransactionAbortedException} is thrown.
   *
   * @param <T> the type of the work's result
   * @param <X> the checked exception type the work may throw
   * @param work the nested step, given this same {@code Tx}
   * @return what {@code work} returned
   * @throws X what {@code work} threw, after rolling the step back
   * @throws IllegalArgumentException if {@code work} is null
   */
  <T, X extends Exception> T savepoint(TxFunction<T, X> work) throws X;

  /**
   * Runs {@code action} once, after the unit commits, on the thread that ended it, outside any unit
   * of this database. "The unit" is the one that commits: for code that joined an outer unit
   * ({@code inTx} inside {@code inTx}), the outer one; for an {@code inNewTx} unit, that unit
   * itself, while its caller's unit is hidden (units the action opens never join the caller's).
   * Actions of attempts that were retried, or of savepoints that rolled back, never run. A failing
   * action is logged and reported to {@link TxListener#onHookFailed}; the others still run and the
   * unit's outcome does not change.
   *
   * @param action run at most once; not run when the unit rolls back
   * @throws IllegalArgumentException if {@code action} is null
   */
  void afterCommit(Runnable action);

  /**
   * Runs {@code action} once, after the unit finally rolls back (not after an attempt that is
   * retried). Same rules as {@link #afterCommit(Runnable)}.
   *
   * @param action run at most once; not run when the unit commits
   * @throws IllegalArgumentException if {@code action} is null
   */
  void afterRollback(Runnable action);

  /**
   * Runs an update that must change exactly {@code rows} rows: a guarded state transition such as
   * {@code update task set state = 'done' where id = ? and state = 'running'}.
   *
   * @param rows the number of rows the statement must change, zero or more
   * @param sql the statement, with {@code ?} placeholders; transaction control in it is refused
   * @param params the placeholders' values, in order: an {@code Instant} is bound as a UTC
   *     timestamp, an enum as its {@code name()}, an {@code Object[]} as an SQL array, anything
   *     else through {@code setObject}; pass {@code (Object) null} for one SQL NULL
   * @return {@code rows}
   * @throws StaleDataException naming the statement and both counts, when the count differs
   * @throws IllegalArgumentException if {@code rows} is negative or {@code sql} is null
   */
  int updateExactly(int rows, String sql, Object... params);

  /**
   * Inserts a row, or finds the row another unit already inserted with the same unique key, without
   * ever aborting this unit: {@code INSERT ... ON CONFLICT (key columns) DO NOTHING RETURNING},
   * then, when nothing was inserted, a {@code SELECT} by the key. Correct under racing inserts at
   * READ COMMITTED; at REPEATABLE READ or SERIALIZABLE a race becomes a serialization failure and
   * the unit is retried.
   *
   * <pre>{@code
   * long depId = tx.insertOrGet("dependency", Map.of("name", "libfoo"), Map.of("version", "1.2"),
   *     "id", rs -> rs.getLong(1));
   * }</pre>
   *
   * @param <K> the type of the returned column's value
   * @param table the table (an SQL identifier, optionally schema-qualified)
   * @param key the columns of a unique constraint and their values (none null)
   * @param values other columns to set when inserting (may be empty)
   * @param returning the column to return, e.g. the primary key
   * @param mapper reads {@code returning} from the row
   * @return the inserted or existing row's {@code returning} value
   * @throws IllegalArgumentException for an empty key, a null key value or an invalid identifier
   * @throws TxException when a conflicting row was found three times but could not be read back (it
   *     was deleted each time in between, or {@code key} is not the key of a unique constraint)
   */
  <K> K insertOrGet(
      String table,
      Map<String, ?> key,
      Map<String, ?> values,
      String returning,
      RowMapper<K> mapper);

  /**
   * Takes an exclusive transaction-scoped advisory lock on {@code key} (a {@code String} or a
   * {@code Long}), waiting as long as the unit's deadline allows; it is released when the unit
   * ends. Keys are hashed into txguard's own advisory-lock namespace (two-key form, first key
   * {@value dev.txguard.AdvisoryLocks#NAMESPACE}); distinct keys may rarely share a hash, which
   * only makes them wait for each other.
   *
   * @param key a {@code String} or a {@code Long}
   * @throws IllegalArgumentException if {@code key} is not a String or Long
   */
  void lock(Object key);

  /**
   * Like {@link #lock(Object)}, but shared: many units may hold it at once, excluding {@link
   * #lock}.
   *
   * @param key a {@code String} or a {@code Long}
   */
  void lockShared(Object key);

  /**
   * Takes an exclusive transaction-scoped advisory lock on {@code key} if it is free.
   *
   * @param key a {@code String} or a {@code Long}
   * @return whether the lock was taken
   */
  boolean tryLock(Object key);

  /**
   * Takes exclusive transaction-scoped advisory locks on all {@code keys}, always in one global
   * order, so units locking overlapping sets cannot deadlock each other.
   *
   * @param keys {@code String}s or {@code Long}s; an empty collection takes no lock
   */
  void lockAll(Collection<?> keys);

  /**
   * Locks rows by id with {@code SELECT ... FOR UPDATE} in ascending id order, so units locking
   * overlapping sets of rows cannot deadlock each other.
   *
   * @param table the table (an SQL identifier, optionally schema-qualified)
   * @param idColumn the id column
   * @param ids the ids (numbers or strings)
   * @return how many of the rows exist (and are now locked)
   */
  int lockRows(String table, String idColumn, Collection<?> ids);

  /**
   * The attempt this {@code Tx} belongs to, 1-based: 2 and above are retries.
   *
   * @return 1 for the first attempt, 2 and above for retries
   */
  int attempt();

  /**
   * The unit's name, from {@link TxOptions#name(String)}.
   *
   * @return the name, {@code "tx"} unless the options set one
   */
  String name();
}
