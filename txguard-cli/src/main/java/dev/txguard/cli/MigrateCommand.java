package dev.txguard.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.txguard.cli.internal.QueueTarget;
import dev.txguard.queue.QueueAdmin.MigrationResult;
import dev.txguard.queue.QueueAdmin.MigrationStatus;
import dev.txguard.queue.QueueAdmin.PendingMigration;
import java.io.PrintWriter;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code txguard migrate}: applies the queue's migrations, or prints their SQL. */
@Command(
    name = "migrate",
    mixinStandardHelpOptions = true,
    description = {
      "Applies the job queue's missing migrations to the server, in one transaction, and reports the schema's"
          + " version before and after. Safe to run from several places at once: an advisory lock serializes the"
          + " runs, and each migration is applied once.",
      "Exit status: 0 when the schema is current, 1 when the server refused a migration (nothing is applied"
          + " then), 2 for a bad invocation (bad option, no or unreachable server)."
    })
final class MigrateCommand extends ReportCommand {
  @Option(names = "--dry-run", description = "Print the SQL that would run, without running it.")
  boolean dryRun;

  MigrateCommand(Map<String, String> env) {
    super(env);
  }

  @Override
  boolean needsMigratedSchema() {
    return false;
  }

  @Override
  int run(QueueTarget target, PrintWriter out, PrintWriter err) {
    target.refuseNewerSchema();
    return dryRun ? dryRun(target, out) : migrate(target, out);
  }

  private int migrate(QueueTarget target, PrintWriter out) {
    MigrationResult r = target.admin().migrate();
    if (json) {
      ObjectNode node =
          object()
              .put("schema", r.schema())
              .put("dryRun", false)
              .put("before", r.before())
              .put("after", r.after());
      ArrayNode applied = node.putArray("applied");
      r.applied().forEach(applied::add);
      printJson(out, node);
    } else if (r.applied().isEmpty()) {
      out.println(
          "schema " + r.schema() + ": version " + r.after() + ", up to date (nothing to apply)");
    } else {
      out.println(
          "schema "
              + r.schema()
              + ": version "
              + r.before()
              + " -> "
              + r.after()
              + " (applied "
              + r.applied().stream().map(v -> "V" + v).collect(Collectors.joining(", "))
              + ")");
    }
    return 0;
  }

  private int dryRun(QueueTarget target, PrintWriter out) {
    MigrationStatus s = target.admin().migrationStatus();
    if (json) {
      ObjectNode node =
          object()
              .put("schema", s.schema())
              .put("dryRun", true)
              .put("current", s.current())
              .put("latest", s.latest());
      ArrayNode pending = node.putArray("pending");
      for (PendingMigration m : s.pending()) {
        pending.addObject().put("version", m.version()).put("file", m.file()).put("sql", m.sql());
      }
      printJson(out, node);
      return 0;
    }
    out.println(
        "-- txguard migrate --dry-run: schema "
            + s.schema()
            + " is at version "
            + s.current()
            + " of "
            + s.latest()
            + (s.pending().isEmpty() ? "; nothing to apply" : "."));
    if (!s.pending().isEmpty()) {
      out.println(
          "-- This SQL would run in one transaction, after taking the migration advisory lock");
      out.println("-- and creating " + s.schema() + ".queue_migration if it is missing.");
    }
    for (PendingMigration m : s.pending()) {
      out.println();
      out.println("-- " + m.file());
      out.println(m.sql().strip());
      out.println(
          "insert into "
              + s.schema()
              + ".queue_migration (version, file) values ("
              + m.version()
              + ", '"
              + m.file()
              + "');");
    }
    return 0;
  }
}
