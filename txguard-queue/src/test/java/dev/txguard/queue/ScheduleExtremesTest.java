package dev.txguard.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Break-it run on issue 13 (brk13): Schedule.nextAfter and latestAtOrBefore document "t: any
 * instant" and only IllegalArgumentException for null.
 */
class ScheduleExtremesTest {
  @Test
  void extremeInstantsAreAnsweredOrRefusedAsDocumented() {
    List<String> undocumented = new ArrayList<>();
    for (Schedule s : List.of(Schedule.every(Duration.ofMinutes(1)), Schedule.cron("0 6 * * *"))) {
      for (Instant t : List.of(Instant.MAX, Instant.MIN)) {
        Throwable next = catchThrowable(() -> s.nextAfter(t));
        Throwable latest = catchThrowable(() -> s.latestAtOrBefore(t));
        for (Throwable thrown : new Throwable[] {next, latest}) {
          if (thrown != null && !(thrown instanceof IllegalArgumentException)) {
            undocumented.add(s + " at " + t + ": " + thrown);
          }
        }
      }
    }
    assertThat(undocumented).isEmpty();
  }

  @Test
  void anInstantOutsideTheYearsZeroTo9999IsRefusedNamingTheRange() {
    assertThatThrownBy(() -> Schedule.every(Duration.ofMinutes(1)).nextAfter(Instant.MAX))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("years 0 to 9999");
    assertThatThrownBy(() -> Schedule.cron("0 6 * * *").latestAtOrBefore(Instant.MIN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("years 0 to 9999");
  }

  @Test
  void theLastAcceptedInstantsAreAnswered() {
    Instant late = Instant.parse("9999-12-30T00:00:00Z");
    Instant early = Instant.parse("0000-01-02T00:00:00Z");
    for (Schedule s : List.of(Schedule.every(Duration.ofMinutes(1)), Schedule.cron("0 6 * * *"))) {
      assertThat(s.nextAfter(late)).as(s + " after " + late).isPresent();
      assertThat(s.latestAtOrBefore(late)).as(s + " at or before " + late).isPresent();
      assertThat(catchThrowable(() -> s.nextAfter(early))).as(s + " after " + early).isNull();
    }
  }
}
