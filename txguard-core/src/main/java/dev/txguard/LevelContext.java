package dev.txguard;

import dev.txguard.internal.Engine;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A level captured by {@link Database#context()}, to carry into work that runs on other threads.
 * Work wrapped here runs at the captured level with no current unit of that database, so a unit it
 * opens takes its connection from the pool above the one its submitter holds, and the submitter can
 * wait for it without deadlocking a small pool. Other databases are not affected.
 *
 * <pre>{@code
 * ExecutorService workers = db.context().wrap(Executors.newVirtualThreadPerTaskExecutor());
 * db.useTx(tx -> {
 *   tx.update("update report set state = 'running' where id = ?", id);
 *   Future<Integer> rows = workers.submit(() -> db.inTx(inner -> inner.update(...)));
 *   rows.get(); // the inner unit runs one level up: no deadlock even with one connection per level
 * });
 * }</pre>
 *
 * <p>Immutable and thread-safe. The level is captured once: wrap the executor inside the unit (or
 * capture a context there) for its tasks to run one level up.
 */
public final class LevelContext {
  private final Engine engine;
  private final int level;

  LevelContext(Engine engine, int level) {
    this.engine = engine;
    this.level = level;
  }

  /**
   * The level wrapped work runs at.
   *
   * @return 0 or more, as captured by {@link Database#context()}
   */
  public int level() {
    return level;
  }

  /**
   * Wraps a task to run at the captured level.
   *
   * @param task run at the captured level (never below a level the running thread already holds for
   *     this database)
   * @return a task that may run on any thread, any number of times
   * @throws IllegalArgumentException if {@code task} is null
   */
  public Runnable wrap(Runnable task) {
    require(task, "task");
    return () ->
        engine.runAt(
            level,
            () -> {
              task.run();
              return null;
            });
  }

  /**
   * Wraps a task to run at the captured level.
   *
   * @param <T> the task's result type
   * @param task run at the captured level (never below a level the running thread already holds for
   *     this database)
   * @return a task that may run on any thread, any number of times; it returns what {@code task}
   *     returns
   * @throws IllegalArgumentException if {@code task} is null
   */
  public <T> Callable<T> wrap(Callable<T> task) {
    require(task, "task");
    return () -> engine.runAt(level, task);
  }

  /**
   * An executor whose tasks run at the captured level.
   *
   * @param executor runs the wrapped tasks
   * @return an executor that wraps each task with {@link #wrap(Runnable)} and hands it to {@code
   *     executor}
   * @throws IllegalArgumentException if {@code executor} is null
   */
  public Executor wrap(Executor executor) {
    require(executor, "executor");
    return task -> executor.execute(wrap(task));
  }

  /**
   * An executor service whose tasks run at the captured level; shutting it down shuts down {@code
   * executor}. Works with virtual-thread executors.
   *
   * @param executor runs the wrapped tasks; its lifecycle is the returned service's
   * @return a service that wraps each task (runnables and callables) before handing it to {@code
   *     executor}
   * @throws IllegalArgumentException if {@code executor} is null
   */
  public ExecutorService wrap(ExecutorService executor) {
    require(executor, "executor");
    return new Wrapped(executor);
  }

  private static void require(Object value, String name) {
    if (value == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
  }

  @Override
  public String toString() {
    return "LevelContext[level " + level + "]";
  }

  private final class Wrapped extends AbstractExecutorService {
    private final ExecutorService delegate;

    Wrapped(ExecutorService delegate) {
      this.delegate = delegate;
    }

    @Override
    public void execute(Runnable command) {
      delegate.execute(wrap(command));
    }

    @Override
    public void shutdown() {
      delegate.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
      return delegate.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
      return delegate.isShutdown();
    }

    @Override
    public boolean isTerminated() {
      return delegate.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
      return delegate.awaitTermination(timeout, unit);
    }
  }
}
