package dev.txguard.bench;

import java.util.Arrays;
import java.util.Locale;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * The arithmetic of the paired run ({@link Paired}): one ratio per cycle, and what the ratios of
 * all cycles say about the 3% target.
 *
 * <p>Each cycle runs every contender for one short slice, back to back, so slow drift (the disk's
 * fsync latency, other people's builds) hits both slices of a ratio nearly alike and cancels in it.
 * The interval is a Student t-interval of the mean of the <em>log</em> ratios, turned back into a
 * ratio: the ratio of two rates is skewed, its log is close to symmetric, and the mean of logs is
 * the geometric mean ratio, which treats 0.5 and 2 as equally far from 1. The cycles are taken as
 * independent; a median with a percentile-bootstrap interval is printed beside it as a check that
 * one wild cycle does not carry the mean.
 */
final class PairedStats {
  /** "Within 3%": the ratio's whole interval at or above this. */
  static final double TARGET = 0.97;

  static final double CONFIDENCE = 0.999;

  private PairedStats() {}

  /** What the cycles' ratios of one pair say. */
  record Summary(
      int cycles,
      double median,
      double medianLow,
      double medianHigh,
      double geometricMean,
      double low,
      double high) {
    /** The verdict on the 3% target, from the t-interval of the geometric mean. */
    String verdict() {
      return PairedStats.verdict(low, high);
    }

    String format() {
      return String.format(
          Locale.ROOT,
          "%.3f [%.3f, %.3f] (median %.3f [%.3f, %.3f]), %d cycles: %s",
          geometricMean,
          low,
          high,
          median,
          medianLow,
          medianHigh,
          cycles,
          verdict());
    }
  }

  /**
   * "within 3%" if the interval's lower bound is at least {@link #TARGET}, "more than 3% slower" if
   * its upper bound is below it, otherwise "not shown".
   */
  static String verdict(double low, double high) {
    if (low >= TARGET) {
      return "within 3%";
    }
    if (high < TARGET) {
      return "more than 3% slower";
    }
    return "not shown";
  }

  /** Units per second of a slice: completed units over the slice's wall time. */
  static double rate(long units, long wallNanos) {
    return wallNanos <= 0 ? Double.NaN : units * 1e9 / wallNanos;
  }

  /**
   * One ratio per cycle, {@code numerator[i] / denominator[i]}, from the two contenders' rates in
   * cycle {@code i}. A cycle where either did nothing has no ratio and is left out.
   */
  static double[] ratios(double[] numerator, double[] denominator) {
    if (numerator.length != denominator.length) {
      throw new IllegalArgumentException(
          "both contenders need a rate per cycle, were "
              + numerator.length
              + " and "
              + denominator.length);
    }
    return java.util.stream.IntStream.range(0, numerator.length)
        .filter(i -> numerator[i] > 0 && denominator[i] > 0)
        .mapToDouble(i -> numerator[i] / denominator[i])
        .toArray();
  }

  /**
   * The summary of the ratios of at least two cycles. {@code seed} makes the bootstrap of the
   * median repeatable.
   */
  static Summary summarize(double[] ratios, long seed) {
    int n = ratios.length;
    if (n < 2) {
      throw new IllegalArgumentException("an interval needs at least 2 cycles, had " + n);
    }
    double[] logs = Arrays.stream(ratios).map(Math::log).toArray();
    double mean = Arrays.stream(logs).average().orElseThrow();
    double variance = Arrays.stream(logs).map(x -> (x - mean) * (x - mean)).sum() / (n - 1);
    double t = new TDistribution(n - 1).inverseCumulativeProbability(1 - (1 - CONFIDENCE) / 2);
    double half = t * Math.sqrt(variance / n);
    double[] bootstrap = bootstrapMedian(ratios, seed);
    return new Summary(
        n,
        median(ratios),
        bootstrap[0],
        bootstrap[1],
        Math.exp(mean),
        Math.exp(mean - half),
        Math.exp(mean + half));
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static final int RESAMPLES = 10_000;

  /** The percentile-bootstrap interval of the median over cycles, at {@link #CONFIDENCE}. */
  private static double[] bootstrapMedian(double[] values, long seed) {
    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
    double[] medians = new double[RESAMPLES];
    double[] resample = new double[values.length];
    for (int r = 0; r < RESAMPLES; r++) {
      for (int i = 0; i < resample.length; i++) {
        resample[i] = values[random.nextInt(values.length)];
      }
      medians[r] = median(resample);
    }
    Arrays.sort(medians);
    double tail = (1 - CONFIDENCE) / 2;
    return new double[] {
      medians[(int) Math.floor(tail * (RESAMPLES - 1))],
      medians[(int) Math.ceil((1 - tail) * (RESAMPLES - 1))]
    };
  }
}
