package dev.txguard.spring;

import dev.txguard.queue.JobQueue;

/**
 * A bean that adjusts the auto-configured queue before it is built: periodic jobs ({@code
 * schedule(...)}), kinds only enqueued here ({@code declare(...)}), handlers written as lambdas, a
 * listener, lease and retry settings. Called once, on the thread creating the queue bean, after the
 * {@link JobKind} handlers and the {@code txguard.queue.*} settings were applied; several
 * customizers run in their {@code @Order}.
 *
 * <pre>{@code
 * @Bean
 * JobQueueCustomizer nightly() {
 *   return b -> b.schedule("nightly-report", Schedule.cron("0 3 * * *"), new NightlyReport());
 * }
 * }</pre>
 */
@FunctionalInterface
public interface JobQueueCustomizer {
  /**
   * Adjusts {@code builder}; exceptions fail the start.
   *
   * @param builder the queue's builder, already holding the handler beans and the {@code
   *     txguard.queue.*} settings
   */
  void customize(JobQueue.Builder builder);
}
