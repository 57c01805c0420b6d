package dev.txguard.test;

import java.util.List;

/**
 * The outcome of a {@link RetrySafety} check: how many failure points were tried and what differed.
 *
 * @param pointsTried how many runs with an injected failure were made (statements plus COMMITs)
 * @param units how many units the clean run began
 * @param findings every point whose run ended differently from the clean run, in run order
 */
public record RetrySafetyReport(int pointsTried, int units, List<Finding> findings) {
  /** Copies the findings. */
  public RetrySafetyReport {
    findings = List.copyOf(findings);
  }

  /**
   * A failure point whose run differed from the clean run.
   *
   * @param unit the unit's name
   * @param unitIndex which unit of the run (1-based, in begin order)
   * @param position the statement position in the unit's first attempt (from 1), or 0 for COMMIT
   * @param sql that statement, or {@code "COMMIT"}
   * @param differences what differed, one line each
   */
  public record Finding(
      String unit, int unitIndex, int position, String sql, List<String> differences) {
    /** Copies the differences. */
    public Finding {
      differences = List.copyOf(differences);
    }

    @Override
    public String toString() {
      return "a retryable failure at "
          + (position == 0 ? "COMMIT" : "statement " + position + " (" + Sql.abbreviate(sql) + ")")
          + " of unit '"
          + unit
          + "' (unit "
          + unitIndex
          + " of the run):\n    "
          + String.join("\n    ", differences);
    }
  }

  /** {@return whether no run differed} */
  public boolean safe() {
    return findings.isEmpty();
  }

  /** {@return the report as text: the points tried, then each finding} */
  public String describe() {
    if (safe()) {
      return "retry-safe: "
          + pointsTried
          + " failure point(s) in "
          + units
          + " unit(s) tried, every run ended like the"
          + " clean run";
    }
    StringBuilder sb =
        new StringBuilder("not retry-safe: ")
            .append(findings.size())
            .append(" of ")
            .append(pointsTried)
            .append(" failure point(s) in ")
            .append(units)
            .append(" unit(s) changed the outcome");
    for (Finding f : findings) {
      sb.append("\n- ").append(f);
    }
    return sb.toString();
  }

  /**
   * Throws unless {@link #safe()}.
   *
   * @throws AssertionError with {@link #describe()}
   */
  public void assertSafe() {
    if (!safe()) {
      throw new AssertionError(describe());
    }
  }
}
