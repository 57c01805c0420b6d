package dev.txguard.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The instants of cron and interval schedules, computed without a database. */
class ScheduleTest {
  static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  static List<Instant> instants(Schedule s, String from, int n) {
    List<Instant> out = new ArrayList<>();
    Instant t = Instant.parse(from);
    for (int i = 0; i < n; i++) {
      t = s.nextAfter(t).orElseThrow();
      out.add(t);
    }
    return out;
  }

  static List<Instant> parse(String... instants) {
    return java.util.Arrays.stream(instants).map(Instant::parse).toList();
  }

  @Test
  void dailyWallClockTimeMovesInUtcAcrossBothDaylightSavingChanges() {
    Schedule nine = Schedule.cron("0 9 * * *", BERLIN);

    assertThat(instants(nine, "2030-03-29T12:00:00Z", 3))
        .containsExactlyElementsOf(
            parse("2030-03-30T08:00:00Z", "2030-03-31T07:00:00Z", "2030-04-01T07:00:00Z"));
    assertThat(instants(nine, "2030-10-25T12:00:00Z", 3))
        .containsExactlyElementsOf(
            parse("2030-10-26T07:00:00Z", "2030-10-27T08:00:00Z", "2030-10-28T08:00:00Z"));
  }

  @Test
  void hourlyFiresAtEveryRealHourThroughTheRepeatedHour() {
    Schedule hourly = Schedule.cron("0 * * * *", BERLIN);

    // 2030-10-27: 03:00 CEST becomes 02:00 CET at 01:00Z; 02:00 local happens twice
    assertThat(instants(hourly, "2030-10-26T22:30:00Z", 5))
        .containsExactlyElementsOf(
            parse(
                "2030-10-26T23:00:00Z",
                "2030-10-27T00:00:00Z",
                "2030-10-27T01:00:00Z",
                "2030-10-27T02:00:00Z",
                "2030-10-27T03:00:00Z"));
  }

  @Test
  void aTimeInsideTheSkippedHourDoesNotFireThatDayAndARepeatedTimeFiresOnce() {
    Schedule twoThirty = Schedule.cron("30 2 * * *", BERLIN);

    assertThat(instants(twoThirty, "2030-03-30T00:00:00Z", 2))
        .containsExactlyElementsOf(parse("2030-03-30T01:30:00Z", "2030-04-01T00:30:00Z"));
    assertThat(instants(twoThirty, "2030-10-26T12:00:00Z", 2))
        .containsExactlyElementsOf(parse("2030-10-27T00:30:00Z", "2030-10-28T01:30:00Z"));
  }

  @Test
  void sixFieldsStartWithSecondsAndNextAfterIsStrict() {
    Schedule s = Schedule.cron("*/20 * * * * *");

    assertThat(instants(s, "2030-01-01T00:00:00Z", 3))
        .containsExactlyElementsOf(
            parse("2030-01-01T00:00:20Z", "2030-01-01T00:00:40Z", "2030-01-01T00:01:00Z"));
    assertThat(s.nextAfter(Instant.parse("2030-01-01T00:00:19.999Z")))
        .hasValue(Instant.parse("2030-01-01T00:00:20Z"));
  }

  @Test
  void intervalsAreAlignedToTheirAnchorInEveryProcess() {
    Schedule s = Schedule.every(Duration.ofMinutes(15));
    Schedule anchored = Schedule.every(Duration.ofDays(1), Instant.parse("2024-01-01T06:30:00Z"));

    assertThat(instants(s, "2030-01-01T00:07:13Z", 2))
        .containsExactlyElementsOf(parse("2030-01-01T00:15:00Z", "2030-01-01T00:30:00Z"));
    assertThat(s.nextAfter(Instant.parse("2030-01-01T00:15:00Z")))
        .hasValue(Instant.parse("2030-01-01T00:30:00Z"));
    assertThat(anchored.nextAfter(Instant.parse("2030-05-05T07:00:00Z")))
        .hasValue(Instant.parse("2030-05-06T06:30:00Z"));
  }

  @Test
  void latestAtOrBeforeIncludesAnInstantEqualToTheBound() {
    Schedule cron = Schedule.cron("0 9 * * *", BERLIN);
    Schedule interval = Schedule.every(Duration.ofSeconds(10));

    assertThat(cron.latestAtOrBefore(Instant.parse("2030-03-31T07:00:00Z")))
        .hasValue(Instant.parse("2030-03-31T07:00:00Z"));
    assertThat(cron.latestAtOrBefore(Instant.parse("2030-03-31T06:59:59Z")))
        .hasValue(Instant.parse("2030-03-30T08:00:00Z"));
    assertThat(interval.latestAtOrBefore(Instant.parse("2030-01-01T00:00:19Z")))
        .hasValue(Instant.parse("2030-01-01T00:00:10Z"));
  }

  @Test
  void badExpressionsNameWhatIsWrong() {
    assertThatThrownBy(() -> Schedule.cron("0 9 * *"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "cron expression '0 9 * *' has 4 fields; expected 5 (minute hour day-of-month month day-of-week)"
                + " or 6 (second first)");
    assertThatThrownBy(() -> Schedule.cron("61 * * * *"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("cron expression '61 * * * *' is not valid: ");
    assertThatThrownBy(() -> Schedule.cron(" "))
        .hasMessage("cron expression must not be blank, was \" \"");
    assertThatThrownBy(() -> Schedule.cron("0 0 30 2 *"))
        .hasMessage("cron expression '0 0 30 2 *' never fires");
    assertThatThrownBy(() -> Schedule.cron("0 9 * * *", null))
        .hasMessageContaining("zone of cron '0 9 * * *'");
    assertThatThrownBy(() -> Schedule.every(Duration.ofMillis(500)))
        .hasMessage("interval must be between PT1S and PT8784H in whole milliseconds, was PT0.5S");
    assertThatThrownBy(() -> Schedule.every(Duration.ofSeconds(5)).grace(Duration.ofSeconds(-1)))
        .hasMessageStartingWith(
            "grace of Schedule[every PT5S, missed RUN_ONCE, grace PT1M] must be between");
    assertThatThrownBy(() -> Schedule.every(Duration.ofSeconds(5)).missed(null))
        .hasMessageContaining("SKIP or RUN_ONCE");
  }

  @Test
  void definitionIsWhatOperatorsSee() {
    assertThat(Schedule.cron("0 3 * * *", BERLIN).definition())
        .isEqualTo("cron '0 3 * * *' Europe/Berlin");
    assertThat(Schedule.every(Duration.ofSeconds(1)).definition()).isEqualTo("every PT1S");
  }
}
