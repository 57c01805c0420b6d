package dev.txguard.bench.queue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The PostgreSQL the queue benchmark runs on: by default an embedded server of its own (zonky,
 * PostgreSQL 17) started with durable commits ({@code fsync=on}, {@code synchronous_commit=on};
 * zonky turns both off by default), or the server of a given JDBC URL. It also reads the
 * server-side counters every phase reports: commits, row versions and the server processes' CPU.
 */
final class Server implements AutoCloseable {
  private final EmbeddedPostgres embedded;
  private final String url;
  private final String host;
  private final int port;
  private final String database;
  private final String user;
  private final Connection monitor;
  private final int postmasterPid;

  private Server(EmbeddedPostgres embedded, String url) throws SQLException {
    this.embedded = embedded;
    this.url = url;
    URI uri = URI.create(url.substring("jdbc:".length()));
    this.host = uri.getHost();
    this.port = uri.getPort() < 0 ? 5432 : uri.getPort();
    this.database = uri.getPath().substring(1);
    this.user = query(uri.getQuery(), "user", "postgres");
    this.monitor = DriverManager.getConnection(url);
    monitor.setAutoCommit(true);
    this.postmasterPid = ServerCpu.postmasterOf(backendPid());
  }

  /** Starts the embedded server, or connects to {@code url} when it is not null. */
  static Server open(String url) throws IOException, SQLException {
    if (url != null) {
      return new Server(null, url);
    }
    EmbeddedPostgres pg =
        EmbeddedPostgres.builder()
            .setServerConfig("fsync", "on")
            .setServerConfig("synchronous_commit", "on")
            .setServerConfig("full_page_writes", "on")
            .setServerConfig("max_connections", "200")
            .setServerConfig("shared_buffers", "128MB")
            .setServerConfig("shared_preload_libraries", "pg_stat_statements")
            .setServerConfig("track_io_timing", "on")
            .start();
    return new Server(
        pg, "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres?user=postgres");
  }

  private static String query(String query, String name, String fallback) {
    if (query == null) {
      return fallback;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        return pair.substring(eq + 1);
      }
    }
    return fallback;
  }

  String url() {
    return url;
  }

  String host() {
    return host;
  }

  int port() {
    return port;
  }

  String database() {
    return database;
  }

  String user() {
    return user;
  }

  boolean embedded() {
    return embedded != null;
  }

  /** The server's version and the settings that decide commit cost, for the report. */
  String describe() throws SQLException {
    List<String> parts = new ArrayList<>();
    try (Statement st = monitor.createStatement()) {
      for (String setting :
          List.of(
              "server_version",
              "fsync",
              "synchronous_commit",
              "wal_sync_method",
              "shared_buffers",
              "max_connections")) {
        try (ResultSet rs = st.executeQuery("show " + setting)) {
          rs.next();
          parts.add(setting + "=" + rs.getString(1));
        }
      }
    }
    return (embedded() ? "embedded (zonky) " : "external ") + String.join(", ", parts);
  }

  void execute(String sql) throws SQLException {
    try (Statement st = monitor.createStatement()) {
      st.execute(sql);
    }
  }

  long count(String sql) throws SQLException {
    try (Statement st = monitor.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The first column of the first row of {@code sql}, as text. */
  String text(String sql) throws SQLException {
    try (Statement st = monitor.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private int backendPid() throws SQLException {
    return (int) count("select pg_backend_pid()");
  }

  /**
   * The counters now. Statistics reach the shared views when a backend ends or at most about a
   * second after its last transaction, so callers close their pools (or wait) before reading.
   */
  Counters counters() throws SQLException {
    long commits;
    long ins;
    long upd;
    long hot;
    long del;
    try (Statement st = monitor.createStatement()) {
      st.execute("select pg_stat_clear_snapshot()");
      try (ResultSet rs =
          st.executeQuery(
              "select xact_commit from pg_stat_database where datname = current_database()")) {
        rs.next();
        commits = rs.getLong(1);
      }
      try (ResultSet rs =
          st.executeQuery(
              "select coalesce(sum(n_tup_ins), 0), coalesce(sum(n_tup_upd), 0),"
                  + " coalesce(sum(n_tup_hot_upd), 0), coalesce(sum(n_tup_del), 0) from pg_stat_user_tables")) {
        rs.next();
        ins = rs.getLong(1);
        upd = rs.getLong(2);
        hot = rs.getLong(3);
        del = rs.getLong(4);
      }
    }
    long cpu = cpuNanos();
    return new Counters(System.nanoTime(), commits, ins, upd, hot, del, cpu);
  }

  /**
   * Starts a statement profile: creates pg_stat_statements if the server preloads it (the embedded
   * one does), resets it and reads pg_stat_wal. Returns the WAL counters, or null without the
   * extension.
   */
  long[] startStatementProfile() throws SQLException {
    try {
      execute("create extension if not exists pg_stat_statements");
      if (embedded != null) {
        // how often each statement is planned (a statement the plan cache keeps custom-planning
        // pays for its plan on every call); only on the embedded server: ALTER SYSTEM would change
        // the configuration of a server given with --url
        execute("alter system set pg_stat_statements.track_planning = on");
        execute("select pg_reload_conf()");
      }
      execute("select pg_stat_statements_reset()");
    } catch (SQLException e) {
      return null;
    }
    return wal();
  }

  private long[] wal() throws SQLException {
    try (Statement st = monitor.createStatement();
        ResultSet rs =
            st.executeQuery(
                "select wal_records, wal_fpi, wal_bytes, wal_write, wal_sync from pg_stat_wal")) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)};
    }
  }

  /**
   * The statements since {@link #startStatementProfile} by total time, and the WAL written, per
   * job.
   */
  String statementProfile(long[] walBefore, long jobs) throws SQLException {
    StringBuilder s = new StringBuilder();
    long[] w = wal();
    s.append(
        String.format(
            java.util.Locale.ROOT,
            "WAL per job: %.2f records, %.3f full-page images, %.0f bytes,"
                + " %.3f writes, %.3f syncs (fsync/fdatasync)%n",
            (w[0] - walBefore[0]) / (double) jobs,
            (w[1] - walBefore[1]) / (double) jobs,
            (w[2] - walBefore[2]) / (double) jobs,
            (w[3] - walBefore[3]) / (double) jobs,
            (w[4] - walBefore[4]) / (double) jobs));
    s.append(
        "calls/job\trows/job\tms total\tµs/call\tplans/call\tplan µs/call\tshared blks hit+read/call"
            + "\tWAL bytes/call\tquery\n");
    try (Statement st = monitor.createStatement();
        ResultSet rs =
            st.executeQuery(
                "select calls, rows, total_exec_time, shared_blks_hit + shared_blks_read, wal_bytes,"
                    + " plans, total_plan_time,"
                    + " regexp_replace(query, '\\s+', ' ', 'g') from pg_stat_statements"
                    + " where query not like '%pg_stat%' order by total_exec_time desc limit 25")) {
      while (rs.next()) {
        long calls = rs.getLong(1);
        s.append(
            String.format(
                java.util.Locale.ROOT,
                "%.3f\t%.3f\t%.1f\t%.1f\t%.2f\t%.1f\t%.1f\t%.0f\t%s%n",
                calls / (double) jobs,
                rs.getLong(2) / (double) jobs,
                rs.getDouble(3),
                rs.getDouble(3) * 1000 / calls,
                rs.getLong(6) / (double) calls,
                rs.getDouble(7) * 1000 / calls,
                rs.getLong(4) / (double) calls,
                rs.getDouble(5) / calls,
                abbreviate(rs.getString(8))));
      }
    }
    return s.toString();
  }

  private static String abbreviate(String query) {
    return query.length() <= 300 ? query : query.substring(0, 300) + "...";
  }

  /** Starts summing the CPU of the server's autovacuum workers (see {@link ServerCpu}). */
  ServerCpu.AutovacuumSampler autovacuumSampler() {
    return new ServerCpu.AutovacuumSampler(postmasterPid);
  }

  /** CPU of every process of the server so far, in ns, or -1 if /proc does not show it. */
  long cpuNanos() {
    return postmasterPid > 0 ? ServerCpu.treeCpuNanos(postmasterPid) : -1;
  }

  /**
   * Server-side counters at one instant. {@code commits} includes this monitor's own statements
   * (three a reading, plus the completion checks), at most a few per phase.
   */
  record Counters(
      long nanos,
      long commits,
      long inserted,
      long updated,
      long hotUpdated,
      long deleted,
      long serverCpuNanos) {
    /** These counters with the CPU read earlier, at the end of the work (before pools closed). */
    Counters withServerCpu(long cpu) {
      return new Counters(nanos, commits, inserted, updated, hotUpdated, deleted, cpu);
    }

    Counters minus(Counters before) {
      return new Counters(
          nanos - before.nanos,
          commits - before.commits,
          inserted - before.inserted,
          updated - before.updated,
          hotUpdated - before.hotUpdated,
          deleted - before.deleted,
          serverCpuNanos < 0 || before.serverCpuNanos < 0
              ? -1
              : serverCpuNanos - before.serverCpuNanos);
    }
  }

  @Override
  public void close() throws Exception {
    monitor.close();
    if (embedded != null) {
      embedded.close();
    }
  }
}
