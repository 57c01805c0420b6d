package dev.txguard.cli.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one variant of a story measured. Built by the story from what it counted in the database
 * afterwards, never from what the code intended.
 *
 * @param faultShown whether the story's fault actually happened in this run (for the naive variant
 *     the expected result, for the txguard variant a failure)
 * @param brief the outcome in a few words, for the closing table (about 30 characters)
 * @param detail the outcome in one sentence, for the story's own lines
 * @param counts what was counted, by name, in the order they were added
 */
public record Measurement(
    boolean faultShown, String brief, String detail, Map<String, Long> counts) {
  /** Copies the counts so the measurement is immutable and keeps their order. */
  public Measurement {
    counts = Collections.unmodifiableMap(new LinkedHashMap<>(counts));
  }

  /** Starts collecting counts. */
  public static Counts collect() {
    return new Counts();
  }

  /** Named counts in insertion order. Not thread-safe: fill it after the work has finished. */
  public static final class Counts {
    private final Map<String, Long> values = new LinkedHashMap<>();

    private Counts() {}

    /** Adds (or replaces) one count and returns this. */
    public Counts put(String name, long value) {
      values.put(name, value);
      return this;
    }

    /** The count of {@code name}, 0 when absent. */
    public long get(String name) {
      return values.getOrDefault(name, 0L);
    }

    /** The measurement these counts belong to. */
    public Measurement measured(boolean faultShown, String brief, String detail) {
      return new Measurement(faultShown, brief, detail, values);
    }
  }
}
