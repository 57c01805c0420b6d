package dev.txguard.internal;

import java.sql.SQLException;
import java.sql.Statement;

/**
 * What a unit does to its connection's session besides its statements: the prelude that sets the
 * attempt's isolation, read-only mode and time limits at its start, and, at release, the epilogue
 * that puts back what the prelude set (databases without {@code SET LOCAL}) and the reset of what
 * the callback changed ({@link SessionState}). A connection whose session cannot be put back is
 * discarded, never returned to the pool dirty. Stateless; called on the unit's thread.
 */
final class UnitSession {
  private UnitSession() {}

  /**
   * Sends the attempt's prelude (isolation, read-only, time limits; see {@code
   * Dialect.unitPrelude}) as the transaction's first statement. The driver prefixes BEGIN, so a
   * unit with non-default options costs no extra round trip over one with defaults, and one with
   * defaults sends nothing here. The epilogue is noted on the unit before the prelude is sent, so
   * that a prelude failing half-way is still put back at release.
   *
   * @param timeoutMs the time left to the unit's deadline in ms, rounded up; 0 for no deadline
   * @throws RuntimeException from {@link Unit#statementFailed} when the prelude fails
   */
  static void start(Unit unit, long timeoutMs) {
    boolean readOnly = unit.options.readOnly();
    String prelude = unit.dialect.unitPrelude(unit.options.isolation(), readOnly, timeoutMs);
    if (prelude == null) {
      return;
    }
    unit.epilogue = unit.dialect.unitEpilogue(unit.options.isolation(), readOnly, timeoutMs);
    try (Statement st = unit.conn.createStatement()) {
      st.execute(prelude);
    } catch (SQLException e) {
      throw unit.statementFailed(e, prelude);
    }
  }

  /**
   * Puts back the unit's session before its connection returns to the pool: the epilogue, then the
   * reset of what the callback changed. Returns false, having discarded the connection, when either
   * fails (the failure is logged at debug: the unit's outcome is already decided).
   */
  static boolean restore(Unit unit) {
    return (unit.epilogue == null || runEpilogue(unit))
        && (unit.session == null || resetSession(unit));
  }

  private static boolean runEpilogue(Unit unit) {
    try (Statement st = unit.conn.createStatement()) {
      st.execute(unit.epilogue);
      return true;
    } catch (SQLException | RuntimeException e) {
      return discard(unit, "restoring the session limits", e);
    }
  }

  private static boolean resetSession(Unit unit) {
    try {
      unit.session.reset(unit.conn);
      return true;
    } catch (SQLException | RuntimeException e) {
      return discard(unit, "resetting the session", e);
    }
  }

  private static boolean discard(Unit unit, String what, Exception e) {
    Engine.LOG.debug(
        "{} of unit '{}' failed, discarding its connection: {}", what, unit.name(), e.toString());
    unit.discard();
    return false;
  }
}
