package dev.txguard.queue.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.txguard.Database;
import dev.txguard.queue.JobQueue;
import dev.txguard.test.spi.QueueSupport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The queue's side of txguard-test: a migrated queue for injection, the running jobs for the leak
 * check, and job lookups for {@code JobAssertions}. Loaded only by txguard-test, through {@link
 * java.util.ServiceLoader}; never used by the queue itself.
 */
public final class QueueTestSupport implements QueueSupport {
  private static final String DIR = "/dev/txguard/queue/testsupport/";
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  /** Created by {@link java.util.ServiceLoader}. */
  public QueueTestSupport() {}

  @Override
  public Class<?> queueType() {
    return JobQueue.class;
  }

  @Override
  public Object prepare(Database db, String schema) {
    JobQueue.Builder builder = JobQueue.builder(db);
    JobQueue queue = (schema == null ? builder : builder.schema(schema)).build();
    queue.migrate();
    return queue;
  }

  @Override
  public List<String> runningJobs(Connection c) throws SQLException {
    List<String> jobs = new ArrayList<>();
    for (String schema : schemas(c)) {
      try (PreparedStatement ps = c.prepareStatement(read("running", schema));
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          jobs.add(
              "job "
                  + rs.getLong("id")
                  + " (kind '"
                  + rs.getString("kind")
                  + "', queue '"
                  + rs.getString("queue")
                  + "', schema "
                  + schema
                  + ") running on "
                  + rs.getString("lease_owner")
                  + " since "
                  + rs.getObject("attempted_at"));
        }
      }
    }
    return jobs;
  }

  @Override
  public List<String> jobs(Connection c, String kind, Object args, String queue)
      throws SQLException {
    String json;
    try {
      json = JSON.writeValueAsString(args);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "args cannot be written as JSON: " + e.getOriginalMessage(), e);
    }
    return find(c, kind, json, queue);
  }

  @Override
  public boolean isQueueLock(long classid, long objid) {
    return classid == LockKeys.LEADER;
  }

  @Override
  public List<String> jobsOfKind(Connection c, String kind) throws SQLException {
    return find(c, kind, null, null);
  }

  private List<String> find(Connection c, String kind, String json, String queue)
      throws SQLException {
    List<String> jobs = new ArrayList<>();
    for (String schema : schemas(c)) {
      try (PreparedStatement ps = c.prepareStatement(read("jobs", schema))) {
        ps.setString(1, kind);
        ps.setString(2, json);
        ps.setString(3, json);
        ps.setString(4, queue);
        ps.setString(5, queue);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            jobs.add(
                "job "
                    + rs.getLong("id")
                    + " in queue '"
                    + rs.getString("queue")
                    + "' ("
                    + rs.getString("state")
                    + ", schema "
                    + schema
                    + ") args "
                    + rs.getString("args"));
          }
        }
      }
    }
    return jobs;
  }

  private static List<String> schemas(Connection c) throws SQLException {
    List<String> schemas = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(read("schemas", null));
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        schemas.add(rs.getString("table_schema"));
      }
    }
    return schemas;
  }

  private static String read(String name, String schema) {
    String resource = DIR + name + ".sql";
    try (InputStream in = QueueTestSupport.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "resource " + resource + " is missing from txguard-queue's jar");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      // schema names come from information_schema, quoted so that any name is safe here
      return schema == null
          ? text
          : text.replace("${schema}", '"' + schema.replace("\"", "\"\"") + '"');
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }
}
