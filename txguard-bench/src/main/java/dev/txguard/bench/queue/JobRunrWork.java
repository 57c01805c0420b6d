package dev.txguard.bench.queue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The JobRunr handlers: JobRunr stores a job as a call of a public method it finds by name, so the
 * handlers are public static methods reading the phase's tally and pool from here.
 */
public final class JobRunrWork {
  private static volatile Tally tally;
  private static volatile DataSource pool;

  private JobRunrWork() {}

  static void use(Tally phaseTally, DataSource phasePool) {
    tally = phaseTally;
    pool = phasePool;
  }

  /** The no-op job. */
  public static void noop(int id, long enqueuedNanos) {
    tally.started(id, enqueuedNanos);
    tally.finished();
  }

  /**
   * The job that writes one row (in its own transaction: JobRunr has no unit shared with the job's
   * state).
   */
  public static void row(int id, long enqueuedNanos) throws SQLException {
    tally.started(id, enqueuedNanos);
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement("insert into bench_q_side(job_id) values (?)")) {
      ps.setInt(1, id);
      ps.executeUpdate();
    }
    tally.finished();
  }
}
