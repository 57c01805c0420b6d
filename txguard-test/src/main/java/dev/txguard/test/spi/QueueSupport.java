package dev.txguard.test.spi;

import dev.txguard.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * How txguard-test learns about the job queue without depending on it: {@code txguard-queue} ships
 * an implementation found with {@link java.util.ServiceLoader}, so the queue's support appears
 * exactly when the queue is on the test class path. Not for users to implement.
 */
public interface QueueSupport {
  /**
   * {@return the type of the queue object {@link #prepare} returns ({@code
   * dev.txguard.queue.JobQueue})}
   */
  Class<?> queueType();

  /**
   * Creates the queue's schema in {@code db} and returns a queue object over it, not started; the
   * caller closes it if it is {@link AutoCloseable}.
   *
   * @param schema the queue's schema, or null for the queue's default
   * @param db the database the queue runs its units in
   * @return a {@link #queueType()} instance
   */
  Object prepare(Database db, String schema);

  /**
   * Describes every job in state running in any queue schema of the connection's database, one line
   * each (id, kind, queue, lease owner, since when); empty when there is none or no queue schema.
   *
   * @param c a connection to the database under test, outside txguard; not closed
   * @return one line per running job
   * @throws SQLException as the driver raised it
   */
  List<String> runningJobs(Connection c) throws SQLException;

  /**
   * Describes the jobs of {@code kind} in any queue schema of the connection's database whose
   * arguments equal {@code args} (written as JSON the way the queue writes them, then compared as
   * {@code jsonb}) and whose queue is {@code queue} (any queue when null), one line each.
   *
   * @param c a connection to the database under test, outside txguard; not closed
   * @param kind the kind's name
   * @param args the expected arguments
   * @param queue the queue's name, or null for any
   * @return one line per matching job
   * @throws SQLException as the driver raised it
   */
  List<String> jobs(Connection c, String kind, Object args, String queue) throws SQLException;

  /**
   * Whether the advisory lock with these keys (pg_locks {@code classid}, {@code objid}) is one a
   * started queue holds for as long as it runs (its maintenance leadership): not a leak of the test
   * that happens to be running; a queue left running is found through its running jobs.
   *
   * @param classid the lock's first key
   * @param objid the lock's second key
   * @return whether a running queue holds it for its whole run
   */
  boolean isQueueLock(long classid, long objid);

  /**
   * Describes every job of {@code kind} (any arguments), for failure messages.
   *
   * @param c a connection to the database under test, outside txguard; not closed
   * @param kind the kind's name
   * @return one line per job
   * @throws SQLException as the driver raised it
   */
  List<String> jobsOfKind(Connection c, String kind) throws SQLException;
}
