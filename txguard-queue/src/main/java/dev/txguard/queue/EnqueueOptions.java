package dev.txguard.queue;

import dev.txguard.queue.internal.Checks;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * How a job is enqueued: queue, priority, run-at, attempts, unique key and group. Immutable; every
 * wither returns a new instance and validates its argument at once, so a bad value fails where it
 * is written, with a message naming the field, the rule and the value.
 *
 * <pre>{@code
 * EnqueueOptions opts = EnqueueOptions.defaults()
 *     .queue("mail").priority(1).maxAttempts(5)
 *     .runAt(Instant.now().plusSeconds(60))
 *     .uniqueKey("welcome-mail:" + userId);
 * }</pre>
 *
 * <p>Defaults: queue {@code "default"}, priority 0, run at once, 20 attempts, no unique key, no
 * group.
 */
public final class EnqueueOptions {
  /** The longest queue name, unique key or group. */
  public static final int MAX_NAME_LENGTH = Checks.MAX_NAME_LENGTH;

  /** The largest priority. */
  public static final int MAX_PRIORITY = Short.MAX_VALUE;

  /** The earliest usable run-at. */
  public static final Instant MIN_RUN_AT = Instant.parse("1970-01-01T00:00:00Z");

  /** The latest usable run-at. */
  public static final Instant MAX_RUN_AT = Instant.parse("9999-12-31T23:59:59Z");

  private static final EnqueueOptions DEFAULTS =
      new EnqueueOptions("default", 0, null, 20, null, null);

  private final String queue;
  private final int priority;
  private final Instant runAt;
  private final int maxAttempts;
  private final String uniqueKey;
  private final String group;

  private EnqueueOptions(
      String queue, int priority, Instant runAt, int maxAttempts, String uniqueKey, String group) {
    this.queue = queue;
    this.priority = priority;
    this.runAt = runAt;
    this.maxAttempts = maxAttempts;
    this.uniqueKey = uniqueKey;
    this.group = group;
  }

  /** {@return the default options (see the class description)} */
  public static EnqueueOptions defaults() {
    return DEFAULTS;
  }

  /**
   * The queue the job runs on.
   *
   * @param queue 1 to 128 characters of letters, digits, {@code _ . : -}; default {@code "default"}
   * @return a copy with this setting; this instance is unchanged
   * @throws IllegalArgumentException if null, empty, too long or with other characters
   */
  public EnqueueOptions queue(String queue) {
    return new EnqueueOptions(
        checkQueueName("queue", queue), priority, runAt, maxAttempts, uniqueKey, group);
  }

  /**
   * The job's priority: lower runs first among available jobs of a queue. A worker's claims
   * continue after a cursor (after the last job of a full claim; a second of run-at before the
   * latest job of the best priority a short claim took) and start again from the most urgent job at
   * least once a second (sooner while jobs keep coming), so a job more urgent than the jobs the
   * worker has been taking waits at most about a second more than with strict ordering (see the
   * queue guide on claim order).
   *
   * @param priority 0 (most urgent, the default) to 32767
   * @return a copy with this setting; this instance is unchanged
   * @throws IllegalArgumentException if negative or above 32767
   */
  public EnqueueOptions priority(int priority) {
    if (priority < 0 || priority > MAX_PRIORITY) {
      throw new IllegalArgumentException(
          "priority must be between 0 and "
              + MAX_PRIORITY
              + " (lower runs first), was "
              + priority);
    }
    return new EnqueueOptions(queue, priority, runAt, maxAttempts, uniqueKey, group);
  }

  /**
   * When the job may run first. A time in the past or present means at once; a future time makes
   * the job {@link JobState#SCHEDULED} until then.
   *
   * @param runAt between 1970-01-01 and 9999-12-31 UTC; default at once
   * @return a copy with this setting; this instance is unchanged
   * @throws IllegalArgumentException if null or outside that range
   */
  public EnqueueOptions runAt(Instant runAt) {
    if (runAt == null || runAt.isBefore(MIN_RUN_AT) || runAt.isAfter(MAX_RUN_AT)) {
      throw new IllegalArgumentException(
          "runAt must be an instant between "
              + MIN_RUN_AT
              + " and "
              + MAX_RUN_AT
              + ", was "
              + runAt);
    }
    return new EnqueueOptions(queue, priority, runAt, maxAttempts, uniqueKey, group);
  }

  /**
   * How many attempts the job may have before it is {@link JobState#FAILED}.
   *
   * @param maxAttempts at least 1 (1 means no retry); default 20
   * @return a copy with this setting; this instance is unchanged
   * @throws IllegalArgumentException if less than 1
   */
  public EnqueueOptions maxAttempts(int maxAttempts) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
    }
    return new EnqueueOptions(queue, priority, runAt, maxAttempts, uniqueKey, group);
  }

  /**
   * A key no two unfinished jobs share: while a job with this key is scheduled, available, running
   * or retryable, enqueueing another returns that job ({@link Enqueued#existing()}) instead.
   *
   * @param uniqueKey 1 to 128 characters, not blank, without U+0000 or unpaired surrogates; default
   *     none
   * @return a copy with this setting; this instance is unchanged
   * @throws IllegalArgumentException if null, blank, too long, or holding U+0000 (NUL) or an
   *     unpaired UTF-16 surrogate (half of a character), which PostgreSQL cannot store in text
   */
  public EnqueueOptions uniqueKey(String uniqueKey) {
    return new EnqueueOptions(
        queue, priority, runAt, maxAttempts, checkText("uniqueKey", uniqueKey), group);
  }

  /**
   * A group the job belongs to: {@link JobQueue#cancelGroup} cancels every job of a group and waits
   * for those of its jobs that are running.
   *
   * @param group 1 to 128 characters, not blank, without U+0000 or unpaired surrogates; default
   *     none
   * @return a copy with this setting; this instance is unchanged
   * @throws IllegalArgumentException if null, blank, too long, or holding U+0000 (NUL) or an
   *     unpaired UTF-16 surrogate (half of a character), which PostgreSQL cannot store in text
   */
  public EnqueueOptions group(String group) {
    return new EnqueueOptions(
        queue, priority, runAt, maxAttempts, uniqueKey, checkText("group", group));
  }

  /** {@return the queue} */
  public String queue() {
    return queue;
  }

  /** {@return the priority} */
  public int priority() {
    return priority;
  }

  /** {@return the run-at time, if one was set} */
  public Optional<Instant> runAt() {
    return Optional.ofNullable(runAt);
  }

  /** {@return the most attempts} */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** {@return the unique key, if any} */
  public Optional<String> uniqueKey() {
    return Optional.ofNullable(uniqueKey);
  }

  /** {@return the group, if any} */
  public Optional<String> group() {
    return Optional.ofNullable(group);
  }

  /**
   * Checks a queue name.
   *
   * @param field the name of the setting, for the message
   * @return {@code name}
   * @throws IllegalArgumentException if it is not a usable queue name
   */
  static String checkQueueName(String field, String name) {
    return Checks.queueName(field, name);
  }

  private static String checkText(String field, String value) {
    if (value == null || value.isBlank() || value.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException(
          field
              + " must be 1 to "
              + MAX_NAME_LENGTH
              + " characters and not blank, was "
              + quote(value));
    }
    checkStorable(field, value);
    return value;
  }

  /**
   * Rejects text PostgreSQL cannot store as given: U+0000 (it would fail deep inside a statement
   * and abort the caller's unit) and an unpaired UTF-16 surrogate (the driver would send '?' in its
   * place, so distinct keys or groups could become one).
   *
   * @param field the name of the setting, for the message
   * @throws IllegalArgumentException if {@code value} holds U+0000 or an unpaired surrogate
   */
  static void checkStorable(String field, String value) {
    Checks.storable(field, value);
  }

  static String quote(String s) {
    return Checks.quote(s);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EnqueueOptions other
        && queue.equals(other.queue)
        && priority == other.priority
        && Objects.equals(runAt, other.runAt)
        && maxAttempts == other.maxAttempts
        && Objects.equals(uniqueKey, other.uniqueKey)
        && Objects.equals(group, other.group);
  }

  @Override
  public int hashCode() {
    return Objects.hash(queue, priority, runAt, maxAttempts, uniqueKey, group);
  }

  @Override
  public String toString() {
    return "EnqueueOptions[queue="
        + queue
        + ", priority="
        + priority
        + ", runAt="
        + runAt
        + ", maxAttempts="
        + maxAttempts
        + ", uniqueKey="
        + uniqueKey
        + ", group="
        + group
        + "]";
  }
}
