package dev.txguard.cli.internal;

import java.io.PrintWriter;

/**
 * What the demo says when the JVM is asked to stop while it runs (SIGTERM, SIGINT, a JVM-wide
 * {@code System.exit}): one line saying it was interrupted and gave no verdict, instead of the
 * failures the stories report once their server is stopped under them. The exit status is then the
 * JVM's own: 128 plus the signal's number (143 for SIGTERM, 130 for SIGINT).
 */
public final class Interruption implements AutoCloseable {
  /**
   * The status {@code call()} returns when it sees the JVM stopping (the JVM's own status wins).
   */
  public static final int STATUS = 143;

  private final Thread hook;

  private Interruption(Thread hook) {
    this.hook = hook;
  }

  /**
   * Prints the interruption note on {@code err} if the JVM starts stopping before {@link #close()}.
   */
  public static Interruption noteOn(PrintWriter err) {
    Thread hook =
        new Thread(
            () -> {
              err.println(
                  "txguard demo: interrupted (the JVM was asked to stop, e.g. by SIGTERM or Ctrl-C) before the"
                      + " stories ended; no verdict. The demo's server and schema are removed.");
              err.flush();
            },
            "txguard-demo-interrupted");
    Runtime.getRuntime().addShutdownHook(hook);
    return new Interruption(hook);
  }

  /**
   * Whether the JVM is shutting down. {@link Runtime#addShutdownHook} refuses new hooks from the
   * moment shutdown begins, before any hook runs, so this is true as soon as a signal arrived.
   */
  public static boolean jvmStopping() {
    Thread probe = new Thread(() -> {}, "txguard-demo-shutdown-probe");
    try {
      Runtime.getRuntime().addShutdownHook(probe);
      Runtime.getRuntime().removeShutdownHook(probe);
      return false;
    } catch (IllegalStateException e) {
      return true;
    }
  }

  /** Withdraws the note: the demo ended on its own. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is stopping: the note is printed by the hook
    }
  }
}
