package dev.txguard.queue.internal;

import dev.txguard.queue.Schedule;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads back the text {@link Schedule#definition()} stores in {@code <schema>.schedule}, so that
 * operators' tools that never declared the schedule (the CLI, the dashboard) can compute its next
 * instant. Knows the two shapes that method writes; anything else reads as empty.
 */
final class ScheduleDefinitions {
  private static final Pattern EVERY = Pattern.compile("every (\\S+)(?: from (\\S+))?");
  private static final Pattern CRON = Pattern.compile("cron '([^']+)' (\\S+)");

  private ScheduleDefinitions() {}

  /** The schedule {@code definition} describes; empty when it is not one of the known shapes. */
  static Optional<Schedule> parse(String definition) {
    try {
      Matcher every = EVERY.matcher(definition);
      if (every.matches()) {
        Duration interval = Duration.parse(every.group(1));
        return Optional.of(
            every.group(2) == null
                ? Schedule.every(interval)
                : Schedule.every(interval, Instant.parse(every.group(2))));
      }
      Matcher cron = CRON.matcher(definition);
      if (cron.matches()) {
        return Optional.of(Schedule.cron(cron.group(1), ZoneId.of(cron.group(2))));
      }
    } catch (DateTimeException | IllegalArgumentException e) {
      // a definition written by another version: shown without a next run
    }
    return Optional.empty();
  }
}
