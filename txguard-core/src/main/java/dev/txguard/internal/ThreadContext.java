package dev.txguard.internal;

import java.util.ArrayList;

/**
 * What the calling thread is doing with txguard: the callback units it runs, across all databases,
 * and the levels it was moved to. Confined to its thread.
 *
 * <p>One stack, innermost last, holds units ({@link TxImpl}) and barriers. A barrier, pushed by
 * {@code isolated} or a captured level context, moves one database's work on this thread to a base
 * level and hides that database's units below it; other databases' units and levels are untouched.
 * The stack is reused, so a unit costs no allocation here.
 */
public final class ThreadContext {
  private static final ThreadLocal<ThreadContext> CURRENT =
      ThreadLocal.withInitial(ThreadContext::new);

  /** From here up, {@code engine}'s work on this thread runs at {@code level} or above. */
  private record Barrier(Engine engine, int level) {}

  /** Units and barriers, innermost last. */
  private final ArrayList<Object> stack = new ArrayList<>();

  /** The calling thread's context. */
  public static ThreadContext get() {
    return CURRENT.get();
  }

  /**
   * The innermost unit on this thread, of any database, that no barrier of its database hides; or
   * null.
   */
  public TxImpl innermost() {
    for (int i = stack.size() - 1; i >= 0; i--) {
      if (stack.get(i) instanceof TxImpl tx && !hiddenAbove(tx.unit.engine, i)) {
        return tx;
      }
    }
    return null;
  }

  private boolean hiddenAbove(Engine engine, int index) {
    for (int i = index + 1; i < stack.size(); i++) {
      if (stack.get(i) instanceof Barrier b && b.engine() == engine) {
        return true;
      }
    }
    return false;
  }

  /** The innermost visible unit of {@code engine} on this thread, or null. */
  TxImpl find(Engine engine) {
    for (int i = stack.size() - 1; i >= 0; i--) {
      Object o = stack.get(i);
      if (o instanceof TxImpl tx) {
        if (tx.unit.engine == engine) {
          return tx;
        }
      } else if (((Barrier) o).engine() == engine) {
        return null;
      }
    }
    return null;
  }

  /** The level an independent unit of {@code engine} opened here would use. */
  int nextLevel(Engine engine) {
    return level(engine, 1);
  }

  /** The level the thread is at for {@code engine}: its innermost unit's, or the base level. */
  int level(Engine engine) {
    return level(engine, 0);
  }

  private int level(Engine engine, int aboveUnit) {
    for (int i = stack.size() - 1; i >= 0; i--) {
      Object o = stack.get(i);
      if (o instanceof TxImpl tx) {
        if (tx.unit.engine == engine) {
          return tx.unit.level() + aboveUnit;
        }
      } else if (((Barrier) o).engine() == engine) {
        return ((Barrier) o).level();
      }
    }
    return 0;
  }

  /** Makes {@code tx}, a callback unit's Tx, the thread's innermost unit. */
  void push(TxImpl tx) {
    stack.add(tx);
  }

  /** Removes the innermost unit, pushed by {@link #push}. */
  void pop() {
    stack.removeLast();
  }

  /**
   * Moves {@code engine}'s work on this thread to {@code level}, hiding its current units, until
   * {@link #restore} is called with the returned mark.
   */
  int enter(Engine engine, int level) {
    int mark = stack.size();
    stack.add(new Barrier(engine, level));
    return mark;
  }

  /** Undoes {@link #enter}: drops everything pushed since {@code mark}. */
  void restore(int mark) {
    while (stack.size() > mark) {
      stack.removeLast();
    }
  }

  /** The levels this thread holds for {@code engine}, e.g. "0 (unit 'a'), 1 (unit 'b')". */
  String describeLevels(Engine engine) {
    StringBuilder sb = new StringBuilder();
    Barrier base = null;
    for (int i = stack.size() - 1; i >= 0 && base == null; i--) {
      Object o = stack.get(i);
      if (o instanceof TxImpl tx) {
        if (tx.unit.engine == engine) {
          sb.insert(0, (sb.isEmpty() ? "" : ", "))
              .insert(0, tx.unit.level() + " (unit '" + tx.unit.name() + "')");
        }
      } else if (((Barrier) o).engine() == engine) {
        base = (Barrier) o;
      }
    }
    int baseLevel = base == null ? 0 : base.level();
    if (sb.isEmpty()) {
      sb.append("none held; base level ").append(baseLevel);
    } else if (baseLevel > 0) {
      sb.append("; base level ").append(baseLevel);
    }
    return sb.toString();
  }
}
