package dev.txguard.queue;

import dev.txguard.queue.internal.Checks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Which jobs {@link QueueAdmin#list(JobFilter)} returns, and how many: every condition is optional
 * and they all must hold. Immutable; every wither checks its argument and returns a new filter.
 *
 * <pre>{@code
 * JobFilter.all().states(JobState.FAILED, JobState.DISCARDED).queues("mail").olderThan(Duration.ofHours(1))
 * }</pre>
 *
 * <p>Pages run newest first (by id): pass the previous page's {@link QueueAdmin.Page#nextBefore()}
 * to {@link #before(long)} for the next one.
 */
public final class JobFilter {
  /** The largest page. */
  public static final int MAX_LIMIT = 1000;

  private static final JobFilter ALL =
      new JobFilter(Set.of(), List.of(), List.of(), null, null, null, 50, null);

  private final Set<JobState> states;
  private final List<String> kinds;
  private final List<String> queues;
  private final String group;
  private final Duration olderThan;
  private final Duration newerThan;
  private final int limit;
  private final Long before;

  private JobFilter(
      Set<JobState> states,
      List<String> kinds,
      List<String> queues,
      String group,
      Duration olderThan,
      Duration newerThan,
      int limit,
      Long before) {
    this.states = states;
    this.kinds = kinds;
    this.queues = queues;
    this.group = group;
    this.olderThan = olderThan;
    this.newerThan = newerThan;
    this.limit = limit;
    this.before = before;
  }

  /** {@return a filter with no condition and pages of 50 jobs} */
  public static JobFilter all() {
    return ALL;
  }

  /**
   * Only jobs in one of {@code states}; none given means any state.
   *
   * @param states the states to list; none for any
   * @return a copy with this condition; this filter is unchanged
   * @throws IllegalArgumentException if a state is null
   */
  public JobFilter states(JobState... states) {
    List<JobState> list = new ArrayList<>();
    for (JobState s : states) {
      if (s == null) {
        throw new IllegalArgumentException("states must not hold null");
      }
      list.add(s);
    }
    return new JobFilter(
        Set.copyOf(list), kinds, queues, group, olderThan, newerThan, limit, before);
  }

  /**
   * Only jobs of one of {@code kinds}; none given means any kind.
   *
   * @param kinds the kind names to list; none for any
   * @return a copy with this condition; this filter is unchanged
   * @throws IllegalArgumentException if a name is not a valid kind name
   */
  public JobFilter kinds(String... kinds) {
    return new JobFilter(
        states, names("kind", kinds), queues, group, olderThan, newerThan, limit, before);
  }

  /**
   * Only jobs of one of {@code queues}; none given means any queue.
   *
   * @param queues the queue names to list; none for any
   * @return a copy with this condition; this filter is unchanged
   * @throws IllegalArgumentException if a name is not a valid queue name
   */
  public JobFilter queues(String... queues) {
    return new JobFilter(
        states, kinds, names("queue", queues), group, olderThan, newerThan, limit, before);
  }

  /**
   * Only jobs of {@code group} ({@link EnqueueOptions#group}).
   *
   * @param group the group, as given at enqueue
   * @return a copy with this condition; this filter is unchanged
   * @throws IllegalArgumentException if blank, or holding U+0000 or an unpaired UTF-16 surrogate
   *     (half of a character), which PostgreSQL cannot store in text
   */
  public JobFilter group(String group) {
    if (group == null || group.isBlank()) {
      throw new IllegalArgumentException(
          "group must not be blank, was " + EnqueueOptions.quote(group));
    }
    EnqueueOptions.checkStorable("group", group);
    return new JobFilter(states, kinds, queues, group, olderThan, newerThan, limit, before);
  }

  /**
   * Only jobs enqueued at least {@code age} ago.
   *
   * @param age zero or positive, measured back from the database's clock when the list is read
   * @return a copy with this condition; this filter is unchanged
   * @throws IllegalArgumentException if null, negative or longer than {@code Long.MAX_VALUE}
   *     milliseconds (about 292 million years)
   */
  public JobFilter olderThan(Duration age) {
    return new JobFilter(
        states, kinds, queues, group, age("olderThan", age), newerThan, limit, before);
  }

  /**
   * Only jobs enqueued at most {@code age} ago.
   *
   * @param age zero or positive, measured back from the database's clock when the list is read
   * @return a copy with this condition; this filter is unchanged
   * @throws IllegalArgumentException if null, negative or longer than {@code Long.MAX_VALUE}
   *     milliseconds (about 292 million years)
   */
  public JobFilter newerThan(Duration age) {
    return new JobFilter(
        states, kinds, queues, group, olderThan, age("newerThan", age), limit, before);
  }

  /**
   * At most {@code limit} jobs per page.
   *
   * @param limit 1 to 1000; default 50
   * @return a copy with this condition; this filter is unchanged
   * @throws IllegalArgumentException if out of range
   */
  public JobFilter limit(int limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException(
          "limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
    }
    return new JobFilter(states, kinds, queues, group, olderThan, newerThan, limit, before);
  }

  /**
   * Only jobs whose id is below {@code id}: the next page after one that ended at {@code id}.
   *
   * @param id the last id of the previous page ({@code Page.nextBefore()})
   * @return a copy with this condition; this filter is unchanged
   * @throws IllegalArgumentException if not positive
   */
  public JobFilter before(long id) {
    if (id < 1) {
      throw new IllegalArgumentException("before must be a job id (1 or more), was " + id);
    }
    return new JobFilter(states, kinds, queues, group, olderThan, newerThan, limit, id);
  }

  /** {@return the states asked for; empty means any} */
  public Set<JobState> states() {
    return states;
  }

  /** {@return the kinds asked for; empty means any} */
  public List<String> kinds() {
    return kinds;
  }

  /** {@return the queues asked for; empty means any} */
  public List<String> queues() {
    return queues;
  }

  /** {@return the group asked for} */
  public Optional<String> group() {
    return Optional.ofNullable(group);
  }

  /** {@return the least age asked for} */
  public Optional<Duration> olderThan() {
    return Optional.ofNullable(olderThan);
  }

  /** {@return the greatest age asked for} */
  public Optional<Duration> newerThan() {
    return Optional.ofNullable(newerThan);
  }

  /** {@return the page size} */
  public int limit() {
    return limit;
  }

  /** {@return the id every job listed is below} */
  public OptionalLong before() {
    return before == null ? OptionalLong.empty() : OptionalLong.of(before);
  }

  private static List<String> names(String field, String... names) {
    List<String> list = new ArrayList<>();
    for (String n : names) {
      list.add(EnqueueOptions.checkQueueName(field, n));
    }
    return List.copyOf(list);
  }

  private static Duration age(String field, Duration age) {
    return Checks.age(field, age);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JobFilter f
        && states.equals(f.states)
        && kinds.equals(f.kinds)
        && queues.equals(f.queues)
        && Objects.equals(group, f.group)
        && Objects.equals(olderThan, f.olderThan)
        && Objects.equals(newerThan, f.newerThan)
        && limit == f.limit
        && Objects.equals(before, f.before);
  }

  @Override
  public int hashCode() {
    return Objects.hash(states, kinds, queues, group, olderThan, newerThan, limit, before);
  }

  @Override
  public String toString() {
    return "JobFilter[states="
        + states
        + ", kinds="
        + kinds
        + ", queues="
        + queues
        + ", group="
        + group
        + ", olderThan="
        + olderThan
        + ", newerThan="
        + newerThan
        + ", limit="
        + limit
        + ", before="
        + before
        + "]";
  }
}
