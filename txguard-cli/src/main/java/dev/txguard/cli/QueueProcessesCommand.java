package dev.txguard.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.txguard.cli.internal.QueueTarget;
import dev.txguard.cli.internal.TextTable;
import dev.txguard.queue.QueueProcess;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * {@code txguard queue processes}: the processes working the schema, which one is the maintenance
 * leader, and the leases each holds ({@code QueueAdmin.processes()}).
 */
@Command(
    name = "processes",
    mixinStandardHelpOptions = true,
    description = {
      "Lists the processes working the schema: started queues (alive while their control connection"
          + " is open) and owners of running jobs' leases whose connection is gone; which one is the"
          + " maintenance leader; how many jobs each runs and when their leases expire. The leader"
          + " comes first.",
      "backend pid is the PostgreSQL server process serving a queue's control connection"
          + " (pg_stat_activity.pid), not the pid of its JVM."
    })
final class QueueProcessesCommand extends ReportCommand {
  static final String PID_NOTE =
      "backend pid: the PostgreSQL server process of the control connection, not the JVM's pid";

  QueueProcessesCommand(Map<String, String> env) {
    super(env);
  }

  @Override
  int run(QueueTarget target, PrintWriter out, PrintWriter err) {
    List<QueueProcess> processes = target.admin().processes();
    Instant now = target.serverTime();
    String schema = target.admin().schema();
    if (json) {
      printJson(out, toJson(schema, now, processes));
      return 0;
    }
    if (processes.isEmpty()) {
      out.println(
          "no processes on schema " + schema + ": no queue is started there and no job is running");
      return 0;
    }
    out.println("schema " + schema + " at " + shortInstant(now));
    TextTable t =
        new TextTable(
            "owner",
            "alive",
            "leader",
            ">backend pid",
            "connected",
            ">running",
            "first expiry",
            "last expiry");
    for (QueueProcess p : processes) {
      t.row(
          p.owner(),
          yesNo(p.alive()),
          yesNo(p.leader()),
          p.pid().isPresent() ? p.pid().getAsInt() : null,
          connected(p, now),
          p.running(),
          p.firstLeaseExpiry().map(e -> relative(e, now)).orElse(null),
          p.lastLeaseExpiry().map(e -> relative(e, now)).orElse(null));
    }
    t.lines().forEach(out::println);
    out.println(PID_NOTE);
    return 0;
  }

  private static String yesNo(boolean b) {
    return b ? "yes" : "no";
  }

  /**
   * How long ago the control connection was opened; "hidden" when PostgreSQL does not show this
   * role another role's session start (it needs pg_read_all_stats).
   */
  private static String connected(QueueProcess p, Instant now) {
    if (!p.alive()) {
      return null;
    }
    return p.connectedSince().map(since -> relative(since, now)).orElse("hidden");
  }

  static ObjectNode toJson(String schema, Instant at, List<QueueProcess> processes) {
    ObjectNode node = object().put("schema", schema).put("at", at.toString());
    ArrayNode list = node.putArray("processes");
    for (QueueProcess p : processes) {
      ObjectNode n =
          list.addObject()
              .put("owner", p.owner())
              .put("alive", p.alive())
              .put("leader", p.leader());
      if (p.pid().isPresent()) {
        n.put("backendPid", p.pid().getAsInt());
      } else {
        n.putNull("backendPid");
      }
      putInstant(n, "connectedSince", p.connectedSince());
      n.put("running", p.running());
      putInstant(n, "firstLeaseExpiry", p.firstLeaseExpiry());
      putInstant(n, "lastLeaseExpiry", p.lastLeaseExpiry());
    }
    return node;
  }
}
