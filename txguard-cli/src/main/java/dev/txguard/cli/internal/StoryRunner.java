package dev.txguard.cli.internal;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs both variants of a story, each on a thread of its own under a hard time limit: a story that
 * hangs despite its own bounded waits is abandoned and reported, never waited for. Whatever an
 * abandoned run left open is ended when the demo's server closes.
 */
public final class StoryRunner {
  private final ConnectionInfo connection;
  private final long seed;
  private final Duration limit;

  /**
   * Creates a runner.
   *
   * @param connection where stories connect
   * @param seed the demo's seed; each story derives its own from it
   * @param limit the hard time limit of one variant
   */
  public StoryRunner(ConnectionInfo connection, long seed, Duration limit) {
    this.connection = connection;
    this.seed = seed;
    this.limit = limit;
  }

  /** Runs the naive variant, then the txguard one, on the same scenario. */
  public StoryResult run(Story story) {
    StoryContext context = new StoryContext(connection, storySeed(seed, story));
    StoryResult.VariantResult naive = run(story, Variant.NAIVE, context);
    StoryResult.VariantResult txguard = run(story, Variant.TXGUARD, context);
    return new StoryResult(story, naive, txguard);
  }

  /** A story's seed: fixed by the demo's seed and the story, so one story can be replayed alone. */
  static long storySeed(long seed, Story story) {
    return seed * 1_000_003L + story.number();
  }

  private StoryResult.VariantResult run(Story story, Variant variant, StoryContext context) {
    long start = System.nanoTime();
    FutureTask<Measurement> task = new FutureTask<>(() -> story.run(variant, context));
    Thread thread = new Thread(task, "txguard-demo-" + story.id() + "-" + variant.label());
    // a run past its limit is abandoned; it must not keep the JVM alive
    thread.setDaemon(true);
    thread.start();
    try {
      Measurement m = task.get(limit.toMillis(), TimeUnit.MILLISECONDS);
      return new StoryResult.VariantResult(variant, m, elapsed(start), null);
    } catch (TimeoutException e) {
      task.cancel(true);
      return new StoryResult.VariantResult(
          variant,
          null,
          elapsed(start),
          "no result within the hard limit of "
              + (limit.toMillis() % 1000 == 0
                  ? limit.toSeconds() + " s"
                  : limit.toMillis() + " ms"));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      return new StoryResult.VariantResult(
          variant,
          null,
          elapsed(start),
          cause.getClass().getSimpleName() + ": " + DemoServer.firstLine(cause));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      task.cancel(true);
      return new StoryResult.VariantResult(variant, null, elapsed(start), "interrupted");
    }
  }

  private static Duration elapsed(long start) {
    return Duration.ofNanos(System.nanoTime() - start);
  }
}
