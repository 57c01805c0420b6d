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
   * Dialect.unitPrelude}) as the transaction's first statement: one round trip (the driver prefixes
   * BEGIN) before the unit's own first statement. A unit with default options sends nothing here,
   * and a unit whose only non-default option is read-only, on a dialect that can, is made read-only
   * by the driver at no round trip ({@code Dialect.readOnlyByDriver}; put back at release). The
   * epilogue is noted on the unit before the prelude is sent, so that a prelude failing half-way is
   * still put back at release.
   *
   * @param timeoutMs the time left to the unit's deadline in ms, rounded up; 0 for no deadline
   * @throws RuntimeException from {@link Unit#statementFailed} when the prelude fails
   */
  static void start(Unit unit, long timeoutMs) {
    boolean readOnly = unit.options.readOnly();
    if (readOnly
        && unit.dialect.readOnlyByDriver()
        && unit.dialect.unitPrelude(unit.options.isolation(), false, timeoutMs) == null) {
      try {
        unit.conn.setReadOnly(true); // no round trip: BEGIN READ ONLY with the first statement
        unit.readOnlyByDriver = true;
      } catch (SQLException e) {
        throw unit.statementFailed(e, "Connection.setReadOnly(true)");
      }
      return;
    }
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
    return (!unit.readOnlyByDriver || readWriteAgain(unit))
        && (unit.epilogue == null || runEpilogue(unit))
        && (unit.session == null || resetSession(unit));
  }

  private static boolean readWriteAgain(Unit unit) {
    try {
      unit.conn.setReadOnly(false); // outside a transaction: a flag in the driver, no round trip
      return true;
    } catch (SQLException | RuntimeException e) {
      return discard(unit, "making the connection read-write again", e);
    }
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
