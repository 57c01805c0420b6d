package dev.txguard.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The after-commit and after-rollback hooks one unit registered, created on the first hook so a
 * unit without hooks allocates nothing for them. Confined to the unit's thread.
 */
final class HookLists {
  private final List<Runnable> afterCommit = new ArrayList<>(2);
  private final List<Runnable> afterRollback = new ArrayList<>(2);

  void add(boolean onCommit, Runnable action) {
    (onCommit ? afterCommit : afterRollback).add(action);
  }

  /**
   * How many hooks are registered, as {commit, rollback}, to drop later ones at a savepoint
   * rollback.
   */
  long mark() {
    return ((long) afterCommit.size() << 32) | afterRollback.size();
  }

  /** Drops the hooks registered after {@code mark}. */
  void dropAfter(long mark) {
    truncate(afterCommit, (int) (mark >>> 32));
    truncate(afterRollback, (int) mark);
  }

  /** The hooks to run for the unit's final outcome. */
  List<Runnable> get(boolean committed) {
    return committed ? afterCommit : afterRollback;
  }

  private static void truncate(List<Runnable> list, int size) {
    if (list.size() > size) {
      list.subList(size, list.size()).clear();
    }
  }
}
