package dev.txguard.internal;

import java.sql.SQLException;
import java.sql.Savepoint;

/**
 * A savepoint of a unit and what rolling back to it must restore besides the database state: the
 * hooks registered before it and the unit's rollback-only cause. Confined to the unit's thread.
 */
record SavepointMark(Savepoint savepoint, long hooks, Throwable rollbackOnly) {

  /** Sets a savepoint in {@code unit}'s transaction. */
  static SavepointMark set(Unit unit) {
    unit.checkUsable();
    try {
      return new SavepointMark(unit.conn.setSavepoint(), unit.hookMark(), unit.rollbackOnly);
    } catch (SQLException e) {
      throw unit.statementFailed(e, "SAVEPOINT");
    }
  }

  /** Releases the savepoint: the work since it stays part of the unit. */
  void release(Unit unit) {
    try {
      unit.conn.releaseSavepoint(savepoint);
    } catch (SQLException e) {
      throw unit.statementFailed(e, "RELEASE SAVEPOINT");
    }
  }

  /** Undoes everything since the savepoint; a failure to do so is added to {@code failure}. */
  void rollback(Unit unit, Throwable failure) {
    unit.dropHooksAfter(hooks);
    if (!unit.active() || unit.connectionLost) {
      return;
    }
    try {
      unit.conn.rollback(savepoint);
      unit.recovered(rollbackOnly);
    } catch (SQLException e) {
      unit.noteError(e, "ROLLBACK TO SAVEPOINT");
      failure.addSuppressed(e);
    }
  }
}
