package dev.txguard;

import java.time.Duration;
import java.util.List;

/**
 * A unit that stayed open longer than the database's leak threshold, or a manual handle that was
 * dropped without being closed. Delivered to {@link TxListener#onLeak(LeakReport)} and logged.
 *
 * @param name the unit's name
 * @param age how long the unit had been open
 * @param thread the name of the thread that opened it
 * @param stack for a callback unit, the opening thread's stack when the leak was seen (its lower
 *     frames are the code that opened the unit); for a manual handle, the stack that called {@code
 *     begin}
 * @param unreachable true when a manual handle was found unreachable and rolled back
 */
public record LeakReport(
    String name, Duration age, String thread, List<StackTraceElement> stack, boolean unreachable) {
  /** Copies the stack so the report is immutable. */
  public LeakReport {
    stack = List.copyOf(stack);
  }

  /**
   * {@return the report as text: the unit, its age and thread, then its stack one frame per line}
   */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append("unit '")
        .append(name)
        .append("' open for ")
        .append(age.toMillis())
        .append(" ms on thread ")
        .append(thread);
    if (unreachable) {
      sb.append(" was never closed and is no longer reachable; rolled back");
    }
    sb.append(", opened at:");
    for (StackTraceElement frame : stack) {
      sb.append("\n\tat ").append(frame);
    }
    return sb.toString();
  }
}
