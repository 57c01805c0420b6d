package dev.txguard.queue.internal;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

/**
 * Cron expressions of {@code Schedule.cron}, parsed by cron-utils: five fields are the Unix form
 * (minute first), six the Spring form (second first, also {@code ?}, {@code L}, {@code W} and
 * {@code #}). Thread-safe (cron-utils' parsers are immutable).
 */
public final class CronExpressions {
  private static final CronParser UNIX =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  private static final CronParser SPRING =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.SPRING53));

  private CronExpressions() {}

  /**
   * The instants {@code expression} (not blank; surrounding blanks ignored) fires at.
   *
   * @throws IllegalArgumentException if it has neither 5 nor 6 fields or cron-utils rejects it, the
   *     message naming the expression and what was wrong
   */
  public static ExecutionTime parse(String expression) {
    String trimmed = expression.trim();
    int fields = trimmed.split("\\s+").length;
    if (fields != 5 && fields != 6) {
      throw new IllegalArgumentException(
          "cron expression '"
              + expression
              + "' has "
              + fields
              + " fields; expected"
              + " 5 (minute hour day-of-month month day-of-week) or 6 (second first)");
    }
    try {
      return ExecutionTime.forCron((fields == 5 ? UNIX : SPRING).parse(trimmed));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "cron expression '" + expression + "' is not valid: " + e.getMessage(), e);
    }
  }
}
