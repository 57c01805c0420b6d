package dev.txguard.internal.dialect;

import java.util.List;
import java.util.Set;

/**
 * How MariaDB and MySQL SQL text is read (MariaDB documentation, "Comment Syntax", "Identifier
 * Names", "String Literals": {@code #} and {@code -- } comments, executable {@code /*! ... *}{@code
 * /} comments, backtick identifiers, backslash escapes unless {@code NO_BACKSLASH_ESCAPES}; {@code
 * --} is a comment only before a blank or a control character, and block comments do not nest).
 *
 * <ul>
 *   <li><b>Transaction control</b>: a statement beginning with COMMIT, ROLLBACK, BEGIN, START,
 *       SAVEPOINT, RELEASE or XA, or setting the transaction's characteristics or {@code
 *       autocommit} (SET [SESSION] TRANSACTION, SET [SESSION] autocommit, tx_isolation,
 *       tx_read_only, transaction_isolation, transaction_read_only, completion_type), in any
 *       assignment of a SET's list ({@code SET @x = 1, @@session.autocommit = 1}; MariaDB
 *       documentation, "SET"). Setting {@code autocommit} is named as a statement that commits
 *       implicitly (setting it to 1 commits the open transaction).
 *   <li><b>Statements that commit implicitly</b> (MariaDB documentation, "SQL statements That Cause
 *       an Implicit Commit"; MySQL Reference Manual 15.3.3): statements beginning with ALTER,
 *       CREATE, DROP, RENAME, TRUNCATE, LOCK (TABLES), UNLOCK (TABLES), ANALYZE, CACHE (INDEX),
 *       CHECK, FLUSH, OPTIMIZE, REPAIR, RESET, GRANT, REVOKE, INSTALL, UNINSTALL, CHANGE (MASTER),
 *       PURGE and BACKUP, and {@code SET PASSWORD} and {@code SET DEFAULT ROLE} (which commit even
 *       when they fail). They are refused inside a unit: the server would commit the unit's work so
 *       far before running them. CREATE TEMPORARY TABLE and DROP TEMPORARY TABLE, which do not
 *       commit, are refused too (a rule by leading word; a temporary table would outlive the unit
 *       anyway). The statement after {@code SET STATEMENT ... FOR} is judged as a statement of its
 *       own (MariaDB documentation, "SET STATEMENT").
 *   <li><b>Compound statements</b>, which MariaDB runs outside stored programs too (MariaDB
 *       documentation, "Using Compound Statements Outside of Stored Programs"): a statement
 *       beginning with IF, CASE, LOOP, REPEAT, WHILE, {@code BEGIN NOT ATOMIC} or a label ({@code
 *       name:}). Their bodies may commit implicitly or set transaction settings, so they are
 *       refused whatever they hold.
 *   <li><b>SQL text txguard cannot read</b>: {@code EXECUTE} and {@code EXECUTE IMMEDIATE} run a
 *       prepared statement or a string that may be a variable (MariaDB documentation, "EXECUTE
 *       Statement", "EXECUTE IMMEDIATE"); what they run may commit implicitly, so both are refused
 *       inside a unit. {@code PREPARE} runs nothing and is a session change.
 *   <li><b>Session changes</b> (reset at release): SET (but SET STATEMENT ... FOR, which lasts one
 *       statement), USE, HANDLER, DEALLOCATE, CALL and DO, and any text naming GET_LOCK,
 *       RELEASE_LOCK, RELEASE_ALL_LOCKS, a sequence function (NEXTVAL, SETVAL, LASTVAL) or
 *       TEMPORARY, and any {@code :=}, which assigns a user variable in any statement ({@code
 *       SELECT @v := 1}).
 * </ul>
 */
final class MariaDbRules {
  static final SqlRules RULES =
      new SqlRules(
          Set.of("commit", "rollback", "begin", "start", "savepoint", "release", "xa"),
          Set.of(
              "alter",
              "create",
              "drop",
              "rename",
              "truncate",
              "lock",
              "unlock",
              "analyze",
              "cache",
              "check",
              "flush",
              "optimize",
              "repair",
              "reset",
              "grant",
              "revoke",
              "install",
              "uninstall",
              "change",
              "purge",
              "backup",
              "autocommit"),
          Set.of("execute"),
          Set.of("use", "handler", "deallocate", "call", "do"),
          Set.of("statement"),
          Set.of(
              "transaction",
              "autocommit",
              "tx_isolation",
              "tx_read_only",
              "transaction_isolation",
              "transaction_read_only",
              "completion_type"),
          Set.of(
              "get_lock",
              "release_lock",
              "release_all_locks",
              "nextval",
              "setval",
              "lastval",
              "temporary"),
          List.of(),
          List.of("get_lock", "release_", "nextval", "setval", "lastval", "temporary"),
          false,
          false,
          true,
          true,
          true,
          true,
          Set.of("if", "case", "loop", "repeat", "while"),
          Set.of("password", "default"),
          true,
          false,
          true);

  private MariaDbRules() {}
}
