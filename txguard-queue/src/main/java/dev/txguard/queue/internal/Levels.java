package dev.txguard.queue.internal;

import dev.txguard.Database;
import dev.txguard.TxException;
import java.util.concurrent.Callable;

/**
 * Runs work at a given txguard level on a thread that holds no unit (a fresh worker thread is at
 * level 0): each {@link Database#isolated} step moves one level up, so units the work opens take
 * connections from that level's pool.
 */
final class Levels {
  private Levels() {}

  static void run(Database db, int level, Runnable work) {
    call(
        db,
        level,
        () -> {
          work.run();
          return null;
        });
  }

  static <T> T call(Database db, int level, Callable<T> work) {
    try {
      return level <= db.level() ? work.call() : db.isolated(() -> call(db, level, work));
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new TxException("work at level " + level + " failed", e);
    }
  }
}
