package dev.txguard.queue.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.function.LongConsumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The queue's one dedicated, unpooled connection, driven by one thread: it LISTENs for the queue's
 * channel and wakes the fetcher of each notified queue and run level ({@link Wake}; this process's
 * own announcements are ignored: they woke their fetcher already), and it takes part in the
 * election of the maintenance leader by trying to take a session advisory lock. It also LISTENs for
 * the completions of awaited jobs and wakes the callers of {@code queue.call} waiting for them, so
 * waiting holds no connection per waiter, and for cancel requests of running jobs, which reach this
 * process's attempts of them at once (the heartbeat, a third of the lease later, is the fallback
 * when a notification is missed).
 *
 * <p>Leadership is exactly "this session holds the lock": when the leader's process dies or its
 * connection ends, PostgreSQL releases the lock, and the next process to try takes it. A leader
 * that loses its connection stops leading at once; maintenance is written so that a zombie leader
 * overlapping briefly with the new one does no harm (every statement is SKIP LOCKED and token
 * checked). A leader whose process stopped without ending its session (frozen, suspended, paused)
 * would keep the lock for good, so a process that fails to take it ends the holder's session when
 * it has sent nothing for longer than {@link #staleLeader} (leader_try.sql); the leader checks its
 * session every election period, far more often. After any connection failure every fetcher is
 * woken, since notifications may have been missed, and the connection is opened again after a pause
 * that doubles while reconnecting keeps failing (up to 30 s; each kind of failure logged once, see
 * {@link LoopFailures}).
 */
final class ControlConnection implements Runnable {
  private static final long WAIT_MS = 250;
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  /**
   * How often, in maintenance intervals, a process that does not lead tries to (and the leader
   * checks its session is alive): each is one statement, which an idle process must not send every
   * second. A dead leader's successor is thus elected within this many intervals (4 s by default)
   * once the server released the lock.
   */
  static final int ELECTION_INTERVALS = 4;

  private final QueueConfig config;
  private final Sql sql;
  private final Map<String, List<Fetcher>> fetchers;
  private final Waiters waiters;
  private final Running running;
  private final String sender;
  private final Runnable jobsNotified;
  private final IntConsumer listening;
  private final LoopFailures failures;
  private volatile boolean leader;
  private volatile boolean stopped;

  /** Set when this process's maintenance can no longer run: it must not lead (again). */
  private volatile boolean resigned;

  private volatile DedicatedConnection conn;
  private Thread thread;
  private long nextElection;

  /**
   * @param running this process's attempts: a cancel request of another process reaches them here
   * @param sender this process's token in its announcements ({@link Announcer}), ignored here
   * @param jobsNotified run for every notification of available jobs: the queue is busy, so this
   *     process's maintenance (if it leads) keeps its interval instead of backing off
   * @param listening told the backend pid of each session this connection opens, once it is named
   *     and LISTENs, so that this process's announcer does not count it among the other processes
   *     listening ({@link Announcer})
   */
  ControlConnection(
      QueueConfig config,
      Sql sql,
      Map<String, List<Fetcher>> fetchers,
      Waiters waiters,
      Running running,
      String sender,
      Runnable jobsNotified,
      IntConsumer listening) {
    this.config = config;
    this.sql = sql;
    this.fetchers = fetchers;
    this.waiters = waiters;
    this.running = running;
    this.sender = sender;
    this.jobsNotified = jobsNotified;
    this.listening = listening;
    Duration pause = Duration.ofMillis(Math.min(1000, config.maintenanceInterval().toMillis()));
    this.failures =
        new LoopFailures(
            "the control connection of queue schema " + sql.schema, pause, MAX_BACKOFF);
  }

  /** The time between election rounds: {@link #ELECTION_INTERVALS} maintenance intervals. */
  static Duration electionPeriod(QueueConfig config) {
    return config.maintenanceInterval().multipliedBy(ELECTION_INTERVALS);
  }

  boolean isLeader() {
    return leader;
  }

  /**
   * Opens the connection on the caller's thread, before {@link #start()}: a login the server
   * refuses (SQLSTATE class 28, invalid authorization: a wrong user or password, no pg_hba.conf
   * entry; 3D000, no such database) fails the queue's start, where the loop would retry it for good
   * with one warning, the process never listening for jobs nor taking part in maintenance (break-it
   * review, session 16: a wrong password given to controlConnection). Any other failure, the server
   * not reachable yet, is left to the loop, which retries and logs it.
   *
   * @throws IllegalStateException for a refused login, with its SQLSTATE and the server's message
   */
  void open() {
    try {
      conn = connect();
    } catch (SQLException e) {
      String state = e.getSQLState();
      if (state != null && (state.startsWith("28") || state.equals("3D000"))) {
        throw new IllegalStateException(
            "the control connection of queue schema "
                + sql.schema
                + " could not log in (SQLSTATE "
                + state
                + ": "
                + String.valueOf(e.getMessage()).lines().findFirst().orElse("")
                + "): check the URL, user and password given to controlConnection(url, user,"
                + " password), or the database's own when none was given",
            e);
      }
    }
  }

  void start() {
    thread = Thread.ofPlatform().daemon().name("txguard-queue-control-" + sql.schema).start(this);
  }

  /**
   * Gives leadership up for good, keeping the connection (LISTEN goes on): for a process whose
   * maintenance loop ended, so that a live process leads instead. Takes effect at the next election
   * round of the connection's thread.
   */
  void resign() {
    resigned = true;
    Events.LOG.error(
        "maintenance of queue schema {} ended unexpectedly in {}; giving leadership up",
        sql.schema,
        config.owner());
  }

  /**
   * Gives leadership up, closes the connection and ends the thread, waiting for it until {@code
   * deadlineNanos} (a {@link System#nanoTime()}). A thread still running then (reconnecting to a
   * database that went away, or pausing between attempts) has its connection aborted and is
   * interrupted, and is waited for a moment more (see {@link Stopping}). Returns whether it ended.
   */
  boolean stop(long deadlineNanos) throws InterruptedException {
    stopped = true;
    if (thread == null) {
      return true;
    }
    long left = deadlineNanos - System.nanoTime();
    if (left > 0 && thread.join(Duration.ofNanos(left))) {
      return true;
    }
    DedicatedConnection c = conn;
    if (c != null) {
      c.abort(); // a read blocked on a silent server returns
    }
    return Stopping.join(thread, System.nanoTime());
  }

  /**
   * Ends the connection abruptly, as if the process had died: the server releases the leader lock
   * and stops delivering notifications. The thread ends too.
   */
  void kill() throws InterruptedException {
    stopped = true;
    leader = false;
    DedicatedConnection c = conn;
    if (c != null) {
      c.abort();
    }
    if (thread != null) {
      thread.join();
    }
  }

  @Override
  public void run() {
    while (!stopped) {
      try {
        if (conn == null) {
          conn = connect();
          wakeAll();
        }
        elect();
        dispatch(notifications());
        failures.succeeded();
      } catch (SQLException e) {
        lost(e);
      }
    }
    close();
  }

  private void dispatch(PGNotification[] notifications) {
    for (PGNotification n : notifications) {
      if (n.getName().equals(sql.doneChannel)) {
        // an awaited job ended: its callers wake
        withJobId(sql.doneChannel, n.getParameter(), waiters::ended);
      } else if (n.getName().equals(sql.cancelChannel)) {
        // cancel asked a running job to stop: this process's attempt of it sees the request now (a
        // prefetched one ends cancelled without running its handler)
        withJobId(sql.cancelChannel, n.getParameter(), running::requestCancel);
      } else {
        Wake wake = Wake.parse(n.getParameter());
        if (!sender.equals(wake.sender())) {
          // this process's own announcements woke its fetcher already, after the enqueue's commit
          Workers.wake(fetchers, wake);
        }
        jobsNotified.run();
      }
    }
  }

  /**
   * Passes the job id of a notification on {@code channel} to {@code action}; a payload that is no
   * id (a foreign NOTIFY) is logged and ignored.
   */
  private static void withJobId(String channel, String payload, LongConsumer action) {
    long id;
    try {
      id = Long.parseLong(payload);
    } catch (NumberFormatException e) {
      Events.LOG.warn(
          "ignoring a notification on {} whose payload is not a job id: {}",
          channel,
          Bounded.message(payload));
      return;
    }
    action.accept(id);
  }

  /**
   * Opens the control connection, names its session and LISTENs (listen.sql), in that order: a
   * session that listens is always named, so other processes' announcers never miss it.
   */
  private DedicatedConnection connect() throws SQLException {
    DedicatedConnection c = DedicatedConnection.open(config, sql);
    try (Statement st = c.jdbc().createStatement()) {
      int pid = nameSession(c.jdbc());
      st.execute(sql.listen);
      listening.accept(pid);
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  /**
   * Names the session so that operators (QueueAdmin.processes) see this process and whether it
   * leads, and other processes' announcers see that it listens; returns its backend pid.
   */
  private int nameSession(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.nameSession)) {
      ps.setString(1, AdminViews.sessionName(sql.schema, config.owner()));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt("pid");
      }
    }
  }

  private void wakeAll() {
    fetchers.values().forEach(fs -> fs.forEach(f -> f.wake.raise()));
  }

  private void elect() throws SQLException {
    if (resigned) {
      if (leader) {
        conn.query(sql.leaderRelease, LockKeys.LEADER, sql.schema);
        leader = false;
      }
      return;
    }
    long nowMs = System.currentTimeMillis();
    if (nowMs < nextElection) {
      return;
    }
    nextElection = nowMs + electionPeriod(config).toMillis();
    if (leader) {
      conn.query(sql.ping); // still connected, so still holding the lock
    } else if (tryToLead()) {
      leader = true;
      Events.LOG.info(
          "{} is now the maintenance leader of queue schema {}", config.owner(), sql.schema);
    }
  }

  /**
   * The time a leader's session may stay idle before another process ends it (leader_try.sql): the
   * lease, as for a worker that stops heartbeating, and at least 3 election periods, so that a live
   * leader, which checks its session every election period, is never taken for a stopped one.
   */
  static Duration staleLeader(QueueConfig config) {
    Duration threeChecks = electionPeriod(config).multipliedBy(3);
    return config.leaseDuration().compareTo(threeChecks) > 0 ? config.leaseDuration() : threeChecks;
  }

  /**
   * Tries to take the leader's lock (leader_try.sql); when a stopped process's session holds it,
   * ends that session, says so, and tries again after one maintenance interval.
   */
  private boolean tryToLead() throws SQLException {
    try (PreparedStatement ps = conn.jdbc().prepareStatement(sql.leaderTry)) {
      ps.setInt(1, LockKeys.LEADER);
      ps.setString(2, sql.schema);
      ps.setLong(3, staleLeader(config).toMillis());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (rs.getBoolean("got")) {
          return true;
        }
        int pid = rs.getInt("pid");
        if (!rs.wasNull() && rs.getBoolean("ended")) { // false: the holder had just ended
          Events.LOG.warn(
              "{} ended the session of the maintenance leader of queue schema {} ({}, backend pid"
                  + " {}): it had sent nothing for {} ms, longer than {} ms, so its process has"
                  + " stopped (frozen, suspended, or paused), and while it held leadership no job"
                  + " was rescued and no schedule ran; leadership moves to the next process that"
                  + " tries",
              config.owner(),
              sql.schema,
              Bounded.message(rs.getString("application_name")),
              pid,
              rs.getLong("idle_ms"),
              staleLeader(config).toMillis());
          nextElection = System.currentTimeMillis() + config.maintenanceInterval().toMillis();
        }
        return false;
      }
    }
  }

  private PGNotification[] notifications() throws SQLException {
    long waitMs = Math.min(WAIT_MS, config.maintenanceInterval().toMillis());
    PGNotification[] ns =
        conn.jdbc().unwrap(PGConnection.class).getNotifications((int) Math.max(1, waitMs));
    return ns == null ? new PGNotification[0] : ns;
  }

  private void lost(SQLException e) {
    boolean wasLeader = leader;
    leader = false;
    if (stopped) {
      return;
    }
    if (wasLeader) {
      Events.LOG.warn(
          "the control connection of queue schema {} failed: leadership lost", sql.schema);
    }
    Duration pause = failures.failed(e);
    close();
    wakeAll();
    try {
      Thread.sleep(pause);
    } catch (InterruptedException ie) {
      stopped = true;
    }
  }

  private void close() {
    DedicatedConnection c = conn;
    conn = null;
    if (c == null) {
      return;
    }
    leader = false;
    c.close(); // ends the session: the leader lock is released with it
  }
}
