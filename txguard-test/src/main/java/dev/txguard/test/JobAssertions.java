package dev.txguard.test;

import dev.txguard.test.spi.QueueSupport;
import java.sql.Connection;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Assertions about jobs of txguard-queue, for tests of code that enqueues: they read the queue's
 * tables (in every queue schema of the database) and need txguard-queue on the class path.
 *
 * <pre>{@code
 * service.placeOrder(7);
 * JobAssertions.assertEnqueued(testDb, "send-invoice", new SendInvoice(7), "default");
 * }</pre>
 */
public final class JobAssertions {
  private JobAssertions() {}

  /**
   * Asserts that a job of {@code kind} with arguments equal to {@code args} (compared as JSON, the
   * way the queue stores them) is in queue {@code queue}, in any state.
   *
   * @param queue the queue name, or null for any queue
   * @param db the test's database, read on a connection of its own outside txguard
   * @param kind the job kind's name
   * @param args the expected arguments, serialized to JSON for the comparison
   * @throws AssertionError listing the jobs of that kind that exist, otherwise
   * @throws IllegalStateException if txguard-queue is not on the class path
   * @throws Exception what reading the queue's table raised (e.g. {@link java.sql.SQLException})
   */
  public static void assertEnqueued(TestDatabase db, String kind, Object args, String queue)
      throws Exception {
    QueueSupport support = support();
    try (Connection c = db.connect()) {
      List<String> matching = support.jobs(c, kind, args, queue);
      if (matching.isEmpty()) {
        throw new AssertionError(
            "expected a job of kind '"
                + kind
                + "' with args "
                + args
                + (queue == null ? "" : " in queue '" + queue + "'")
                + ", but there is none; jobs of that kind: "
                + support.jobsOfKind(c, kind));
      }
    }
  }

  /**
   * Like {@link #assertEnqueued(TestDatabase, String, Object, String)}, in any queue.
   *
   * @param db the test's database, read on a connection of its own outside txguard
   * @param kind the job kind's name
   * @param args the expected arguments, serialized to JSON for the comparison
   * @throws Exception what reading the queue's table raised (e.g. {@link java.sql.SQLException})
   */
  public static void assertEnqueued(TestDatabase db, String kind, Object args) throws Exception {
    assertEnqueued(db, kind, args, null);
  }

  /**
   * Asserts that no job of {@code kind} exists.
   *
   * @param db the test's database, read on a connection of its own outside txguard
   * @param kind the job kind's name
   * @throws AssertionError listing them, otherwise
   * @throws Exception what reading the queue's table raised (e.g. {@link java.sql.SQLException})
   */
  public static void assertNoJob(TestDatabase db, String kind) throws Exception {
    QueueSupport support = support();
    try (Connection c = db.connect()) {
      List<String> jobs = support.jobsOfKind(c, kind);
      if (!jobs.isEmpty()) {
        throw new AssertionError("expected no job of kind '" + kind + "', but found: " + jobs);
      }
    }
  }

  private static QueueSupport support() {
    return ServiceLoader.load(QueueSupport.class, JobAssertions.class.getClassLoader())
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "job assertions need txguard-queue on the test class path (it provides the queue's tables)"));
  }
}
