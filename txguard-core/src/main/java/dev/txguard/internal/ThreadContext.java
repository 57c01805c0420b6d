package dev.txguard.internal;

/**
 * What the calling thread is doing with txguard: the units it runs (innermost first, across all
 * databases) and its base level. Confined to its thread.
 */
public final class ThreadContext {
  private static final ThreadLocal<ThreadContext> CURRENT = ThreadLocal.withInitial(ThreadContext::new);

  /** The innermost callback unit running on this thread; each links to the one it runs inside. */
  private TxImpl top;
  private int baseLevel;

  /** The calling thread's context. */
  public static ThreadContext get() {
    return CURRENT.get();
  }

  /** The innermost unit on this thread, of any database, or null. */
  public TxImpl innermost() {
    return top;
  }

  /** The innermost unit of {@code engine} on this thread, or null. */
  TxImpl find(Engine engine) {
    for (TxImpl f = top; f != null; f = f.outerOnThread) {
      if (f.unit.engine == engine) {
        return f;
      }
    }
    return null;
  }

  /** The level an independent unit of {@code engine} opened here would use. */
  int nextLevel(Engine engine) {
    TxImpl f = find(engine);
    return f == null ? baseLevel : f.unit.level + 1;
  }

  /** The level the thread is at for {@code engine}: its innermost unit's, or the base level. */
  int level(Engine engine) {
    TxImpl f = find(engine);
    return f == null ? baseLevel : f.unit.level;
  }

  /** Makes {@code tx}, a callback unit's Tx, the thread's innermost unit. */
  void push(TxImpl tx) {
    tx.outerOnThread = top;
    top = tx;
  }

  void pop() {
    TxImpl ended = top;
    top = ended.outerOnThread;
    ended.outerOnThread = null;
  }

  /** Saved state, restored by {@link #restore(Saved)}. */
  record Saved(TxImpl top, int baseLevel) {}

  Saved enter(int level) {
    Saved saved = new Saved(top, baseLevel);
    top = null;
    baseLevel = level;
    return saved;
  }

  void restore(Saved saved) {
    top = saved.top();
    baseLevel = saved.baseLevel();
  }

  /** The levels this thread holds for {@code engine}, e.g. "0 (unit 'a'), 1 (unit 'b')". */
  String describeLevels(Engine engine) {
    StringBuilder sb = new StringBuilder();
    for (TxImpl f = top; f != null; f = f.outerOnThread) {
      if (f.unit.engine == engine) {
        sb.insert(0, (sb.isEmpty() ? "" : ", ")).insert(0, f.unit.level + " (unit '" + f.unit.name() + "')");
      }
    }
    if (sb.isEmpty()) {
      sb.append("none held; base level ").append(baseLevel);
    } else if (baseLevel > 0) {
      sb.append("; base level ").append(baseLevel);
    }
    return sb.toString();
  }
}
