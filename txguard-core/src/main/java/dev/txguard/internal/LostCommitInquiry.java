package dev.txguard.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The questions {@link CommitResolver} asks the server about one transaction whose COMMIT lost its
 * connection, each on a new connection straight from the source: {@code pg_xact_status} (or {@code
 * txid_status} before PostgreSQL 13), with a backoff from 10 ms to 1 s between questions, and, once
 * the transaction has been "in progress" for longer than the grace, {@code pg_terminate_backend} of
 * the old backend if it still runs that transaction. Keeps what it asked and what it got, for
 * messages. Confined to the thread settling the commit.
 */
final class LostCommitInquiry {
  /** How long an "in progress" transaction is given to finish before its backend is terminated. */
  private static final long GRACE_NANOS = 500_000_000L;

  private final ConnectionSource source;
  private final long xid;
  private final int backendPid;
  private final long start;
  private final List<String> failures = new ArrayList<>();
  private int asked;
  private boolean terminated;
  private String last;

  LostCommitInquiry(ConnectionSource source, long xid, int backendPid, long start) {
    this.source = source;
    this.xid = xid;
    this.backendPid = backendPid;
    this.start = start;
  }

  /**
   * Asks until the status is final or {@code end} passes (at least once); the status or null. An
   * interrupt meanwhile does not end the inquiry, which is bounded by {@code end} anyway: it is
   * cleared, so that the pauses still pause and the next connection can talk, and set again on
   * return.
   */
  String askUntil(long end) {
    boolean interrupted = false;
    try {
      long pause = 10_000_000L;
      while (true) {
        last = askOnce();
        if ("committed".equals(last) || "aborted".equals(last)) {
          return last;
        }
        if ((last == null && failures.isEmpty()) || System.nanoTime() + pause - end >= 0) {
          return null; // no status for this id (it is too old), or out of time
        }
        LockSupport.parkNanos(pause);
        interrupted |= Thread.interrupted();
        pause = Math.min(pause * 2, 1_000_000_000L);
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private String askOnce() {
    asked++;
    try (Connection c = source.open()) {
      String status = status(c);
      if ("in progress".equals(status) && !terminated && System.nanoTime() - start >= GRACE_NANOS) {
        terminated = terminate(c);
      }
      return status;
    } catch (SQLException | RuntimeException e) {
      String text =
          e.getClass().getSimpleName()
              + (e instanceof SQLException s ? " " + s.getSQLState() : "")
              + ": "
              + source.redact(String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
      if (failures.size() < 3) {
        failures.add(text);
      }
      return "unreachable";
    }
  }

  private String status(Connection c) throws SQLException {
    boolean v13 = c.getMetaData().getDatabaseMajorVersion() >= 13;
    String sql = v13 ? "SELECT pg_xact_status(?::text::xid8)" : "SELECT txid_status(?)";
    try (PreparedStatement st = c.prepareStatement(sql)) {
      if (v13) {
        st.setString(1, Long.toString(xid));
      } else {
        st.setLong(1, xid);
      }
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    } finally {
      if (!c.getAutoCommit()) {
        c.rollback();
      }
    }
  }

  /** Ends the old backend if it still runs this transaction: its exit decides the outcome. */
  private boolean terminate(Connection c) throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                + " WHERE pid = ? AND backend_xid::text = ?")) {
      st.setInt(1, backendPid);
      st.setString(2, Long.toString(xid & 0xFFFF_FFFFL));
      st.executeQuery().close();
      return true;
    }
  }

  /**
   * What was asked, for how long, and what came back, for the messages of {@link CommitResolver}.
   */
  String summary() {
    long ms = (System.nanoTime() - start) / 1_000_000;
    StringBuilder s =
        new StringBuilder("asked pg_xact_status on a new connection ")
            .append(asked)
            .append(asked == 1 ? " time" : " times")
            .append(" over ")
            .append(ms)
            .append(" ms");
    s.append(", last answer: ").append(last == null ? "no status (the id is too old)" : last);
    if (terminated) {
      s.append(", terminated the old backend (pid ")
          .append(backendPid)
          .append(") still running it");
    }
    if (!failures.isEmpty()) {
      s.append(", connecting failed with: ").append(String.join("; ", failures));
    }
    return s.toString();
  }
}
