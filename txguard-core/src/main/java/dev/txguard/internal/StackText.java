package dev.txguard.internal;

import java.util.List;

/**
 * A unit's stack as text for leak and pool-exhaustion reports. A callback unit's stack is its
 * thread's stack when the report is made: the frames above txguard's entry are where the unit's
 * work is now (often JDK frames: a sleep, a socket read, a collection's {@code forEach}), the
 * frames below it are the code that opened the unit. Printing all of it under "opened at" named a
 * JDK frame as the opener; this prints the two parts under their own headings. A manual handle's
 * stack, recorded by {@code begin} without txguard's frames, is all "opened at". Stateless.
 */
public final class StackText {
  private StackText() {}

  /**
   * Appends the stack, one {@code \n\tat frame} line per frame, under "now at:" and "opened at:"
   * when it holds txguard's entry frames, else under "opened at:" only.
   *
   * @param sb where to append
   * @param stack the frames, innermost first
   * @param limit the most frames printed in all (the rest is counted, not printed)
   */
  public static void append(StringBuilder sb, List<StackTraceElement> stack, int limit) {
    int entry = -1;
    for (int i = stack.size() - 1; i >= 0; i--) {
      if (isEntry(stack.get(i).getClassName())) {
        entry = i;
        break;
      }
    }
    int printed = 0;
    if (entry >= 0 && entry < stack.size() - 1) {
      sb.append(" now at:");
      printed = frames(sb, stack.subList(0, entry + 1), limit);
      sb.append("\n  opened at:");
      printed += frames(sb, stack.subList(entry + 1, stack.size()), limit - printed);
    } else {
      sb.append(" opened at:");
      printed = frames(sb, stack, limit);
    }
    if (printed < stack.size()) {
      sb.append("\n\t... ").append(stack.size() - printed).append(" more frames");
    }
  }

  private static int frames(StringBuilder sb, List<StackTraceElement> frames, int limit) {
    int n = Math.max(0, Math.min(limit, frames.size()));
    for (int i = 0; i < n; i++) {
      sb.append("\n\tat ").append(frames.get(i));
    }
    return n;
  }

  /**
   * txguard's own frames on the way into a unit: the engine and the public entry points (also what
   * {@code ManualUnits} cuts from a manual handle's recorded stack).
   */
  static boolean isEntry(String className) {
    return className.startsWith("dev.txguard.internal.")
        || className.equals("dev.txguard.Database");
  }
}
