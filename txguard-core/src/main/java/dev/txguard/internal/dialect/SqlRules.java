package dev.txguard.internal.dialect;

import java.util.List;
import java.util.Set;

/**
 * One database's rules for reading SQL text: which leading words end or open a transaction, which
 * commit implicitly, which change the session, and the lexical forms its parser knows. All words
 * are lower case. Immutable.
 *
 * @param control leading words of transaction control ({@code commit}, {@code begin}, ...)
 * @param implicitCommit leading words of statements that commit the open transaction first
 *     (MariaDB's DDL), and names of {@code transactionSettings} whose setting commits ({@code
 *     autocommit}: MariaDB commits when it is set to 1); empty for PostgreSQL
 * @param unreadable leading words of statements that run SQL text the reader cannot see (MariaDB's
 *     {@code EXECUTE} and {@code EXECUTE IMMEDIATE}, whose text may be a variable or a prepared
 *     statement): refused as control, as that text may commit implicitly; empty for PostgreSQL
 * @param sessionLeading leading words of statements that change the session
 * @param transactionScopedSet second words after {@code SET} whose effect ends with the transaction
 *     ({@code local}, {@code constraints}); any other {@code SET} changes the session
 * @param transactionSettings setting names that set the current transaction's characteristics:
 *     control, whether after {@code SET} or {@code SET LOCAL|SESSION}
 * @param sessionWords names (of functions, views, keywords) whose presence anywhere makes the text
 *     a session change
 * @param sessionPrefixes prefixes of such names
 * @param fragments lower-case fragments whose presence makes quoted parts worth reading for names
 * @param dollarQuotes whether {@code $tag$...$tag$} quotes exist (PostgreSQL)
 * @param atomicBodies whether {@code CREATE FUNCTION ... BEGIN ATOMIC ... END} bodies exist, whose
 *     semicolons end no statement (PostgreSQL 14+)
 * @param hashComments whether {@code #} starts a line comment (MariaDB, MySQL)
 * @param backtickIdentifiers whether {@code `name`} is a quoted identifier (MariaDB, MySQL)
 * @param executableComments whether {@code /*!...*}{@code /} and {@code /*M!...*}{@code /} comments
 *     are executed as SQL (MariaDB, MySQL): their contents are read as statements
 * @param setLists whether {@code SET} takes a comma-separated list of assignments, each of which
 *     may set a transaction setting, and {@code SET STATEMENT ... FOR} prefixes a statement that is
 *     read as a statement of its own (MariaDB "SET", "SET STATEMENT")
 * @param compound leading words of compound statements the server runs outside stored programs
 *     (MariaDB's {@code IF}, {@code CASE}, {@code LOOP}, {@code REPEAT}, {@code WHILE}); when not
 *     empty, {@code BEGIN NOT ATOMIC} and a leading label ({@code name:}) open one too. Their
 *     bodies hold statements that may commit (the reader would judge the first only by its first
 *     word), so they are refused as control; empty for PostgreSQL
 * @param committingSet words after {@code SET} that make statements which commit implicitly
 *     (MariaDB's {@code SET PASSWORD}, {@code SET DEFAULT ROLE}); not after {@code @}
 * @param dashCommentNeedsBlank whether {@code --} starts a comment only when a blank or a control
 *     character (or the end of the text) follows it (MariaDB, MySQL: {@code 1--1} is {@code 1 -
 *     -1}); false for PostgreSQL, where {@code --} always starts one
 * @param nestedBlockComments whether block comments nest (PostgreSQL); in MariaDB the first {@code
 *     *}{@code /} closes the comment
 * @param colonAssignments whether {@code :=} assigns a user variable in any statement (MariaDB's
 *     {@code SELECT @v := 1}): a session change
 */
public record SqlRules(
    Set<String> control,
    Set<String> implicitCommit,
    Set<String> unreadable,
    Set<String> sessionLeading,
    Set<String> transactionScopedSet,
    Set<String> transactionSettings,
    Set<String> sessionWords,
    List<String> sessionPrefixes,
    List<String> fragments,
    boolean dollarQuotes,
    boolean atomicBodies,
    boolean hashComments,
    boolean backtickIdentifiers,
    boolean executableComments,
    boolean setLists,
    Set<String> compound,
    Set<String> committingSet,
    boolean dashCommentNeedsBlank,
    boolean nestedBlockComments,
    boolean colonAssignments) {

  /** Whether {@code w} names something whose effect outlives the transaction. */
  boolean isSessionName(String w) {
    if (sessionWords.contains(w)) {
      return true;
    }
    for (String prefix : sessionPrefixes) {
      if (w.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }
}
