package dev.txguard.internal.dialect;

import java.util.List;
import java.util.Set;

/**
 * How PostgreSQL SQL text is read, for {@link PostgresDialect}: PostgreSQL's statements and names,
 * read by the lexical rules of its documentation ("Lexical Structure": nested block comments,
 * dollar quotes, E'' strings). Transaction control: a statement beginning with COMMIT, END,
 * ROLLBACK, ABORT, BEGIN, START, SAVEPOINT, RELEASE or PREPARE TRANSACTION, or setting the current
 * transaction's characteristics (SET TRANSACTION, SET [LOCAL|SESSION] or RESET of
 * transaction_isolation, transaction_read_only, transaction_deferrable). Nothing commits
 * implicitly: DDL is transactional. A session change: a statement beginning with SET (not SET LOCAL
 * or SET CONSTRAINTS, which end with the transaction), RESET, DISCARD, LISTEN, UNLISTEN, PREPARE,
 * DEALLOCATE, DECLARE, LOAD, DO or CALL (procedural code may do anything), or any text naming
 * something whose effect outlives the transaction: set_config, pg_settings, session-level advisory
 * locks, nextval/setval, temp/temporary/pg_temp and dblink. Except {@code set_config('name',
 * 'value', true)} with constants only: its value ends with the transaction, like SET LOCAL's.
 */
final class PostgresRules {
  /** The rules above, for a {@link SqlReader}. */
  static final SqlRules RULES =
      new SqlRules(
          Set.of("commit", "end", "rollback", "abort", "begin", "start", "savepoint", "release"),
          Set.of(),
          Set.of(),
          Set.of(
              "reset",
              "discard",
              "listen",
              "unlisten",
              "deallocate",
              "declare",
              "load",
              "do",
              "call"),
          Set.of("local", "constraints"),
          Set.of("transaction_isolation", "transaction_read_only", "transaction_deferrable"),
          Set.of("set_config", "pg_settings", "nextval", "setval", "temp", "temporary"),
          List.of(
              "pg_advisory_lock",
              "pg_try_advisory_lock",
              "pg_advisory_unlock",
              "pg_temp",
              "dblink"),
          List.of(
              "set_config",
              "pg_settings",
              "nextval",
              "setval",
              "temp",
              "advisory_lock",
              "advisory_unlock",
              "dblink"),
          true,
          true,
          false,
          false,
          false,
          false,
          Set.of(),
          Set.of(),
          false,
          true,
          false);

  private PostgresRules() {}
}
