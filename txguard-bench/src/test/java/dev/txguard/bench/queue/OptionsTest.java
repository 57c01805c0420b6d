package dev.txguard.bench.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The queue benchmark's command line: what it accepts and how it names what it refuses. */
class OptionsTest {
  @Test
  void defaultsAreTheIssuesSizes() {
    Options o = Options.parse(List.of());
    assertThat(o.jobs()).isEqualTo(20_000);
    assertThat(o.batch()).isEqualTo(1_000);
    assertThat(o.rounds()).isEqualTo(5);
    assertThat(o.rate()).isEqualTo(200);
    assertThat(Options.parse(List.of("--smoke", "--rounds", "3")).rounds()).isEqualTo(3);
  }

  @Test
  void theSharePhaseRunsOnlyWhenNamedWithItsOwnSettings() {
    assertThat(Options.parse(List.of()).phase("share")).isFalse();
    Options o =
        Options.parse(
            List.of(
                "--only",
                "share",
                "--handler-ms",
                "200",
                "--share-seconds",
                "60",
                "--share-rate",
                "80",
                "--share-rounds",
                "2"));
    assertThat(o.phase("share")).isTrue();
    assertThat(o.share()).isEqualTo(new Options.Share(200, 80, 60, 2, false, false, true));
    assertThat(
            Options.parse(List.of("--share-enqueue-in-a", "--share-exponential", "--share-no-kill"))
                .share())
        .isEqualTo(new Options.Share(20, 0, 30, 1, true, true, false));
    assertThat(Options.parse(List.of("--smoke")).share())
        .isEqualTo(new Options.Share(20, 0, 1, 1, false, false, true));
  }

  @Test
  void theSustainedRunWarmsUpForAMinuteUnlessToldOtherwise() {
    assertThat(Options.parse(List.of("--sustained")).sustainedWarmupSeconds()).isEqualTo(60);
    assertThat(Options.parse(List.of("--smoke", "--sustained")).sustainedWarmupSeconds()).isZero();
    assertThat(
            Options.parse(List.of("--sustained", "--sustained-warmup-seconds", "0"))
                .sustainedWarmupSeconds())
        .isZero();
    assertThatThrownBy(() -> Options.parse(List.of("--sustained-warmup-seconds", "-1")))
        .hasMessage("--sustained-warmup-seconds takes a whole number, 0 or more, was '-1'");
  }

  @Test
  void theSustainedRateCanBeAPercentageOfTheMeasuredThroughput() {
    assertThat(Options.parse(List.of("--sustained")).sustainedPercent()).isZero();
    assertThat(
            Options.parse(List.of("--sustained", "--sustained-percent", "70")).sustainedPercent())
        .isEqualTo(70);
    assertThatThrownBy(() -> Options.parse(List.of("--sustained-percent", "170")))
        .hasMessage(
            "--sustained-percent must be 1 to 100 (a percentage of the measured throughput), got 170");
    assertThatThrownBy(() -> Options.parse(List.of("--sustained-percent", "0")))
        .hasMessage("--sustained-percent takes a positive whole number, was '0'");
  }

  @Test
  void badOptionsAreNamed() {
    assertThatThrownBy(() -> Options.parse(List.of("--rounds", "0")))
        .hasMessage("--rounds takes a positive whole number, was '0'");
    assertThatThrownBy(() -> Options.parse(List.of("--contenders", "txguard,sidekiq")))
        .hasMessageContaining("--contenders takes some of")
        .hasMessageContaining("was 'sidekiq'");
    assertThatThrownBy(() -> Options.parse(List.of("--speed")))
        .hasMessageStartingWith("unknown option '--speed'");
  }
}
