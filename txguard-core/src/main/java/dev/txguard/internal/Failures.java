package dev.txguard.internal;

import dev.txguard.CommitOutcomeUnknownException;
import dev.txguard.PoolExhaustedException;
import dev.txguard.RetriesExhaustedException;
import dev.txguard.TxTimeoutException;
import dev.txguard.internal.dialect.Dialect;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/** Classifies failures by SQLSTATE (read by the dialect) over the whole cause chain. */
public final class Failures {
  private Failures() {}

  /**
   * Whether the failure may succeed when the whole unit runs again: an SQLSTATE the dialect calls
   * retryable (PostgreSQL: a serialization failure 40001 or a deadlock 40P01) anywhere in the cause
   * chain, or a lost connection (PostgreSQL: class 08, 57P01-57P03) when {@code
   * connectionLossCounts}: a unit passes whether its own connection was lost, so that the loss of
   * some other connection its callback used (already committed work on it would run again) is not
   * retried. The walk stops at txguard's own verdicts that must never be retried: an unknown commit
   * outcome, a timeout, an exhausted inner unit, an exhausted pool.
   */
  public static boolean retryable(
      Dialect dialect, Throwable failure, boolean connectionLossCounts) {
    for (Throwable t : causes(failure)) {
      if (isFinalVerdict(t)) {
        return false;
      }
      if (t instanceof SQLException sql && retryableSql(dialect, sql, connectionLossCounts)) {
        return true;
      }
    }
    return false;
  }

  /** The most causes {@link #causes} walks, and the most next exceptions of one SQLException. */
  static final int MAX_CHAIN = 1_000;

  /**
   * {@code failure} and its causes, outermost first, each once: a chain that loops (A caused by B
   * caused by A) ends where it would repeat, a chain longer than {@value #MAX_CHAIN} is cut there,
   * and a {@code getCause()} that throws (user code may override it) ends the chain there. Never
   * null; empty for a null {@code failure}.
   */
  public static List<Throwable> causes(Throwable failure) {
    List<Throwable> chain = new ArrayList<>();
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = failure;
        t != null && chain.size() < MAX_CHAIN && seen.add(t);
        t = cause(t)) {
      chain.add(t);
    }
    return chain;
  }

  private static Throwable cause(Throwable t) {
    try {
      return t.getCause();
    } catch (Throwable unreadable) {
      return null;
    }
  }

  /** The innermost cause of {@code failure} (itself when it has none), cycle-safe. */
  public static Throwable root(Throwable failure) {
    List<Throwable> chain = causes(failure);
    return chain.get(chain.size() - 1);
  }

  /** Whether the cause chain holds one of txguard's verdicts that must never be retried. */
  public static boolean hasFinalVerdict(Throwable failure) {
    for (Throwable t : causes(failure)) {
      if (isFinalVerdict(t)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isFinalVerdict(Throwable t) {
    return t instanceof CommitOutcomeUnknownException
        || t instanceof TxTimeoutException
        || t instanceof RetriesExhaustedException
        || t instanceof PoolExhaustedException;
  }

  /**
   * Whether {@code e} or one of its next exceptions ({@link SQLException#getNextException()}, each
   * once: a list that loops ends where it would repeat; at most {@value #MAX_CHAIN}) is retryable.
   */
  private static boolean retryableSql(
      Dialect dialect, SQLException e, boolean connectionLossCounts) {
    Set<SQLException> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (SQLException s = e; s != null && seen.size() < MAX_CHAIN && seen.add(s); s = next(s)) {
      if (dialect.retryable(s) || (connectionLossCounts && dialect.connectionLost(s))) {
        return true;
      }
    }
    return false;
  }

  private static SQLException next(SQLException s) {
    try {
      return s.getNextException();
    } catch (Throwable unreadable) {
      return null;
    }
  }

  /** Throws any throwable without the compiler asking for it to be declared. */
  @SuppressWarnings("unchecked")
  public static <E extends Throwable> RuntimeException rethrow(Throwable t) throws E {
    throw (E) t;
  }
}
