package dev.txguard.internal.dialect;

import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Shared and exclusive advisory locks built from MariaDB's and MySQL's {@code GET_LOCK}, which
 * knows only exclusive, session-scoped named locks (MariaDB documentation, "GET_LOCK"; several
 * locks per session since MariaDB 10.0.2 and MySQL 5.7.5).
 *
 * <p>The scheme: a key (namespace, id) has {@value #SLOTS} named slots {@code
 * txguard.<namespace>.<id>.<slot>}. A shared holder takes one slot, number {@code CONNECTION_ID() %
 * SLOTS}; an exclusive holder takes every slot, in ascending order, so an exclusive holder excludes
 * everyone and shared holders exclude only exclusive ones and the shared holders whose sessions
 * fall on the same slot (at most {@value #SLOTS} shared holders run at once; a shared holder waits
 * for another only when their connection ids collide). Exclusive takers all go in the same order
 * and a shared holder never waits while holding, so these locks cannot deadlock among themselves.
 * All slot waits of one bounded request share one deadline (a session variable set just before). A
 * request that ran out (0 or NULL from any slot) may hold some slots: its result is 0 and the
 * caller releases them by ending the session (a lock connection is discarded; a unit's session is
 * reset when the unit ends).
 *
 * <p>Every statement takes parameters (namespace, id) and returns one row whose first column is 1
 * when every slot asked for was granted.
 */
final class GetLockSql {
  /** Slots per key: the most shared holders at once. */
  static final int SLOTS = 8;

  /** The session variable holding the deadline of the next bounded lock statement. */
  static final String DEADLINE_VARIABLE = "@txguard_lock_deadline";

  /** About one year in seconds: "until the unit's own time limit", as GET_LOCK wants a number. */
  static final long FOREVER_SECONDS = 31_536_000L;

  private static final String KEY = " from (select concat('txguard.', ?, '.', ?, '.') as n) as k";
  private static final String LEFT =
      "greatest(0, timestampdiff(microsecond, sysdate(6), " + DEADLINE_VARIABLE + ") / 1000000)";

  private GetLockSql() {}

  /** Sets the deadline of the next bounded {@link #lock}, {@code ms} from now. */
  static String deadline(long ms) {
    return "set "
        + DEADLINE_VARIABLE
        + " = sysdate(6) + interval "
        + Math.max(1, ms) * 1000
        + " microsecond";
  }

  /**
   * Takes the lock, waiting until the deadline set by {@link #deadline} when {@code bounded}, else
   * (within a unit, whose own time limits bound every statement) for up to {@value
   * #FOREVER_SECONDS} s.
   */
  static String lock(boolean shared, boolean bounded) {
    String wait = bounded ? LEFT : String.valueOf(FOREVER_SECONDS);
    if (shared) {
      return "select coalesce(get_lock(concat(n, connection_id() % "
          + SLOTS
          + "), "
          + wait
          + "), 0)"
          + KEY;
    }
    return "select (" + sum("get_lock", ", " + wait) + ") = " + SLOTS + KEY;
  }

  /** Takes the exclusive lock if every slot is free now. */
  static String tryLock() {
    return "select (" + sum("get_lock", ", 0") + ") = " + SLOTS + KEY;
  }

  private static String sum(String function, String rest) {
    return IntStream.range(0, SLOTS)
        .mapToObj(slot -> "coalesce(" + function + "(concat(n, " + slot + ")" + rest + "), 0)")
        .collect(Collectors.joining(" + "));
  }

  /** Releases what {@link #lock} took; returns the number of slots released. */
  static String unlock(boolean shared) {
    if (shared) {
      return "select coalesce(release_lock(concat(n, connection_id() % " + SLOTS + ")), 0)" + KEY;
    }
    return "select " + sum("release_lock", "") + KEY;
  }
}
