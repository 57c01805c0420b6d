package dev.txguard.internal;

import dev.txguard.CommitOutcomeUnknownException;
import dev.txguard.TxOptions;
import dev.txguard.TxTimeoutException;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The texts of a unit's failures, kept apart from the state machine that decides them: each names
 * the unit and attempt, says what happened and what to do. Pinned by the tests that read them.
 */
final class UnitMessages {
  private UnitMessages() {}

  /** Why transaction control sent as SQL was refused, and what to use instead. */
  static String refusal(String control, String database, String name, int attempt) {
    return "txguard refused "
        + control
        + " sent as SQL inside unit '"
        + name
        + "' (attempt "
        + attempt
        + "): "
        + insteadOf(control, database)
        + ". The unit is aborted and nothing in it will commit";
  }

  /** What to do instead of sending {@code control} as SQL inside a unit on {@code database}. */
  private static String insteadOf(String control, String database) {
    String would = control.contains(" may ") ? " it could" : " it would";
    return control.endsWith("a compound statement,")
        ? "compound statements cannot be checked inside a unit (the statements in their body may"
            + " commit implicitly or change the transaction, and txguard reads plain statements"
            + " only); put the logic in a stored procedure and CALL it outside a unit, or send its"
            + " statements inside the unit as plain statements"
        : control.endsWith("implicitly,")
            ? "on "
                + database
                + would
                + " first commit the unit's work"
                + " so far, outside the unit's control; run it outside a unit (before or after)"
            : control.startsWith("SET ")
                ? "a unit runs with its own options: give it"
                    + " TxOptions.isolation(...) or TxOptions.readOnly(...) instead"
                : switch (control) {
                  case "BEGIN", "START" ->
                      "its transaction is already open; nested work joins it through db.inTx(...),"
                          + " and work that must commit on its own runs in db.inNewTx(...)";
                  case "SAVEPOINT", "RELEASE" ->
                      "use tx.savepoint(...) for work that may fail and be undone alone";
                  case "PREPARE TRANSACTION" -> "two-phase commit cannot run inside a unit";
                  default ->
                      "the unit ends its transaction itself: it commits when the callback returns and rolls back"
                          + " when it throws; use tx.savepoint(...) to undo part of it, or db.inNewTx(...) for work that must"
                          + " commit on its own";
                };
  }

  /** The unit's transaction was ended by a path txguard does not see. */
  static CommitOutcomeUnknownException endedElsewhere(String name, int attempt, String sql) {
    return new CommitOutcomeUnknownException(
        "the transaction of unit '"
            + name
            + "' (attempt "
            + attempt
            + ") was ended by something other than the unit"
            + (sql == null ? " (a statement txguard did not see)" : ", after: " + abbreviate(sql))
            + "; work done before that may have been committed or rolled back, and txguard cannot tell which."
            + " The unit fails, nothing after that point commits, and its connection is discarded. End a unit"
            + " by returning or throwing from its callback",
        null);
  }

  /** The connection was lost while COMMIT was on its way. */
  static CommitOutcomeUnknownException commitLost(String name, int attempt, SQLException e) {
    return new CommitOutcomeUnknownException(
        "the connection of unit '"
            + name
            + "' (attempt "
            + attempt
            + ") was lost during COMMIT:"
            + " it may or may not have committed, so it is not retried; check the database"
            + " before acting",
        e);
  }

  /** A Tx used after its unit ended (or began to end): misuse of the API. */
  static IllegalStateException ended(Unit.State s, String name, int attempt) {
    String how =
        switch (s) {
          case COMMITTED -> "committed";
          case ROLLED_BACK -> "rolled back";
          case TIMED_OUT -> "timed out";
          default -> "ending";
        };
    return new IllegalStateException(
        "unit '"
            + name
            + "' (attempt "
            + attempt
            + ") has already "
            + (s == Unit.State.ENDING ? "begun to end" : "ended: " + how)
            + "; a Tx cannot be used after its unit ends");
  }

  /** The unit ran past its timeout. */
  static TxTimeoutException timeout(
      TxOptions options, long firstStartNanos, int attempt, Throwable cause) {
    Duration timeout = options.timeout().orElseThrow();
    long ran = (System.nanoTime() - firstStartNanos) / 1_000_000;
    return new TxTimeoutException(
        "unit '"
            + options.name()
            + "' ran past its timeout of "
            + timeout.toMillis()
            + " ms ("
            + ran
            + " ms since it began, attempt "
            + attempt
            + "); its statement was cancelled and its"
            + " transaction rolled back",
        cause);
  }

  /** SQLSTATE and the first line of the message. */
  static String describe(SQLException e) {
    String msg = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
    return "SQLSTATE " + e.getSQLState() + " (" + msg + ")";
  }

  /** {@code sql} on one line, at most 200 characters. */
  static String abbreviate(String sql) {
    if (sql == null) {
      return "(a statement on tx.connection())";
    }
    String oneLine = sql.strip().replaceAll("\\s+", " ");
    return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 197) + "...";
  }
}
