package dev.txguard;

import java.sql.Connection;
import java.util.List;
import java.util.Optional;

/**
 * One attempt of a unit of work on one connection. Handed to the callback of
 * {@link Database#inTx(TxFunction)} and friends, or obtained from {@link TxHandle#tx()}.
 *
 * <p>Statement methods bind {@code params} to the statement's {@code ?} placeholders in order
 * ({@code java.time} types, {@code UUID}, enums (by name) and {@code null} included) and throw
 * {@link StatementException} when the database refuses the statement. After the first error on
 * PostgreSQL the unit is aborted: every later statement fails at once, without a round trip, with
 * {@link TransactionAbortedException}.
 *
 * <p>A {@code Tx} belongs to the thread running its unit and is not for concurrent use. Once its
 * unit has ended, every method but {@link #name()} and {@link #attempt()} throws
 * {@link IllegalStateException} naming the unit.
 */
public interface Tx {
  /**
   * The unit's connection, for plain JDBC, jOOQ or Jdbi. It belongs to the unit: {@code commit},
   * {@code rollback}, {@code close} and {@code setAutoCommit} are refused with
   * {@link IllegalStateException}, because the unit ends the transaction itself. Statement errors on
   * it abort the unit just like errors through {@link #update}.
   */
  Connection connection();

  /**
   * Runs an {@code INSERT}, {@code UPDATE}, {@code DELETE} or DDL statement.
   *
   * @return the number of rows changed
   * @throws IllegalArgumentException if {@code sql} is null
   * @throws StatementException if the database refuses the statement
   * @throws TransactionAbortedException if an earlier error aborted the unit
   */
  int update(String sql, Object... params);

  /**
   * Runs a query and maps every row.
   *
   * @return the mapped rows, in the query's order; never null
   * @throws IllegalArgumentException if {@code sql} or {@code mapper} is null
   * @throws StatementException if the database refuses the statement
   * @throws TransactionAbortedException if an earlier error aborted the unit
   */
  <T> List<T> query(String sql, RowMapper<T> mapper, Object... params);

  /**
   * Runs a query that returns at most one row.
   *
   * @return the mapped row, or empty when there is none (or the mapper returned null)
   * @throws IllegalStateException if the query returned more than one row
   * @throws StatementException if the database refuses the statement
   */
  <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... params);

  /** The attempt this {@code Tx} belongs to, 1-based: 2 and above are retries. */
  int attempt();

  /** The unit's name, from {@link TxOptions#name(String)}. */
  String name();
}
