package dev.txguard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The paired run's arithmetic and command line, on made-up numbers: no server, nothing timed. */
class PairedStatsTest {
  @Test
  void aSliceRateIsUnitsOverItsWallTime() {
    assertThat(PairedStats.rate(1_000, 500_000_000L)).isEqualTo(2_000.0);
    assertThat(PairedStats.rate(5, 0)).isNaN();
  }

  @Test
  void oneRatioPerCycleAndACycleWhereAContenderDidNothingIsLeftOut() {
    double[] txguard = {900, 1_800, 0, 450};
    double[] jdbc = {1_000, 2_000, 1_500, 500};
    assertThat(PairedStats.ratios(txguard, jdbc)).containsExactly(0.9, 0.9, 0.9);
    assertThatThrownBy(() -> PairedStats.ratios(new double[2], new double[3]))
        .hasMessage("both contenders need a rate per cycle, were 2 and 3");
  }

  @Test
  void theIntervalIsTheStudentTIntervalOfTheLogRatiosTurnedBack() {
    // logs +-0.02 around 0: mean 0, sd 0.023094, se 0.011547; t(3 df, 0.9995) = 12.9240
    double up = Math.exp(0.02);
    double down = Math.exp(-0.02);
    PairedStats.Summary s = PairedStats.summarize(new double[] {up, down, up, down}, 1);
    assertThat(s.cycles()).isEqualTo(4);
    assertThat(s.geometricMean()).isCloseTo(1.0, within(1e-12));
    assertThat(s.low()).isCloseTo(Math.exp(-12.9240 * 0.0115470), within(1e-4));
    assertThat(s.high()).isCloseTo(Math.exp(12.9240 * 0.0115470), within(1e-4));
    assertThat(s.median()).isCloseTo((up + down) / 2, within(1e-12)); // the middle two's mean
    assertThat(s.verdict()).isEqualTo("not shown");
  }

  @Test
  void manyTightCyclesShowWithinThreePercentAndASlowContenderShowsMore() {
    double[] near = new double[300];
    double[] slow = new double[300];
    for (int i = 0; i < near.length; i++) {
      double wobble = (i % 2 == 0 ? 1 : -1) * 0.05; // every cycle 5% off, alternating sides
      near[i] = 0.99 * Math.exp(wobble);
      slow[i] = 0.90 * Math.exp(wobble);
    }
    PairedStats.Summary within = PairedStats.summarize(near, 1);
    assertThat(within.geometricMean()).isCloseTo(0.99, within(1e-9));
    assertThat(within.low()).isGreaterThanOrEqualTo(0.97);
    assertThat(within.verdict()).isEqualTo("within 3%");
    PairedStats.Summary slower = PairedStats.summarize(slow, 1);
    assertThat(slower.high()).isLessThan(0.97);
    assertThat(slower.verdict()).isEqualTo("more than 3% slower");
    assertThat(slower.medianLow()).isLessThanOrEqualTo(slower.median());
    assertThat(slower.medianHigh()).isGreaterThanOrEqualTo(slower.median());
  }

  @Test
  void theVerdictReadsOnlyTheIntervalsBounds() {
    assertThat(PairedStats.verdict(0.97, 1.2)).isEqualTo("within 3%");
    assertThat(PairedStats.verdict(0.5, 0.969)).isEqualTo("more than 3% slower");
    assertThat(PairedStats.verdict(0.96, 1.01)).isEqualTo("not shown");
    assertThat(PairedStats.verdict(0.5, 0.97)).isEqualTo("not shown");
  }

  @Test
  void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
    assertThat(PairedStats.median(new double[] {3, 1, 2})).isEqualTo(2.0);
    assertThat(PairedStats.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
    assertThatThrownBy(() -> PairedStats.summarize(new double[] {1.0}, 1))
        .hasMessage("an interval needs at least 2 cycles, had 1");
  }

  @Test
  void theCommandLineDefaultsAndWhatItRefuses() {
    Paired.Options o = Paired.Options.parse(List.of());
    assertThat(o.units()).containsExactly("write", "read");
    assertThat(o.threads()).containsExactly(1, 8);
    assertThat(o.cycles()).isEqualTo(300);
    assertThat(o.sliceMillis()).isEqualTo(1_000);
    assertThat(o.contenders()).containsExactly("jdbc", "txguard", "txguard-unresolved");
    // 150 s of 500 ms slices for 3 contenders: 100 cycles
    assertThat(Paired.Options.parse(List.of("--seconds", "150", "--slice-ms", "500")).cycles())
        .isEqualTo(100);
    assertThat(Paired.Options.parse(List.of("--smoke", "--only", "read")).units())
        .containsExactly("read");
    assertThatThrownBy(() -> Paired.Options.parse(List.of("--cycles", "0")))
        .hasMessage("--cycles takes a positive whole number, was '0'");
    assertThatThrownBy(() -> Paired.Options.parse(List.of("--cycles", "1")))
        .hasMessage("--cycles must be at least 2 for an interval, was 1");
    assertThatThrownBy(() -> Paired.Options.parse(List.of("--only", "contention")))
        .hasMessage("--only takes read or write, was 'contention'");
    assertThatThrownBy(() -> Paired.Options.parse(List.of("--contenders", "jdbc")))
        .hasMessage("--contenders needs at least two different names, was 'jdbc'");
    assertThatThrownBy(() -> Paired.Options.parse(List.of("--contenders", "jdbc,hibernate")))
        .hasMessageContaining("was 'hibernate'");
    assertThatThrownBy(() -> Paired.Options.parse(List.of("--cycles", "5", "--seconds", "9")))
        .hasMessage("give --cycles or --seconds, not both");
    assertThatThrownBy(() -> Paired.Options.parse(List.of("--fast")))
        .hasMessageStartingWith("unknown option '--fast'");
  }
}
