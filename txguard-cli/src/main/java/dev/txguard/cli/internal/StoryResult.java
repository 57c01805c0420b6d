package dev.txguard.cli.internal;

import java.time.Duration;

/**
 * Both variants of one story as they ran.
 *
 * @param story the story
 * @param naive the naive variant
 * @param txguard the txguard variant
 */
public record StoryResult(Story story, VariantResult naive, VariantResult txguard) {
  /** Whether the txguard variant ran to the end without the story's fault. */
  public boolean held() {
    return txguard.error() == null && !txguard.measurement().faultShown();
  }

  /** Whether the naive variant showed the story's fault in this run. */
  public boolean naiveShowedFault() {
    return naive.error() == null && naive.measurement().faultShown();
  }

  /** The verdict for the closing table. */
  public String verdict() {
    if (!held()) {
      return "FAILED";
    }
    return naiveShowedFault() ? "held" : "held; no fault";
  }

  /**
   * One variant's run: what it measured, or why it could not be measured.
   *
   * @param variant which variant
   * @param measurement what it measured, or null when {@code error} is set
   * @param elapsed how long it ran (setup and measuring included)
   * @param error why it did not finish (an exception or the hard time limit), or null
   */
  public record VariantResult(
      Variant variant, Measurement measurement, Duration elapsed, String error) {
    /** The outcome in a few words, for the closing table. */
    public String brief() {
      return error != null ? "did not finish" : measurement.brief();
    }

    /** The outcome in one sentence. */
    public String detail() {
      return error != null ? "did not finish: " + error : measurement.detail();
    }
  }
}
