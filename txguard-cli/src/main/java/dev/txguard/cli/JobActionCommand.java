package dev.txguard.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.txguard.cli.internal.TextTable;
import dev.txguard.queue.QueueAdmin.Change;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/** The output shared by {@code retry} and {@code cancel}: one line (or JSON object) per job. */
abstract class JobActionCommand extends ReportCommand {
  JobActionCommand(Map<String, String> env) {
    super(env);
  }

  /** Prints the changes; status 0 when every job changed, else 1. */
  int print(PrintWriter out, List<Change> changes) {
    long changed = changes.stream().filter(Change::changed).count();
    if (json) {
      ObjectNode node = object();
      ArrayNode jobs = node.putArray("jobs");
      for (Change c : changes) {
        jobs.addObject()
            .put("id", c.id())
            .put("changed", c.changed())
            .put("state", c.state().map(s -> s.sqlName()).orElse(null))
            .put("outcome", c.outcome());
      }
      node.put("changed", changed).put("unchanged", changes.size() - changed);
      printJson(out, node);
    } else {
      TextTable t = new TextTable(">id", "~outcome");
      changes.forEach(c -> t.row(c.id(), c.outcome()));
      t.lines().forEach(out::println);
    }
    return changed == changes.size() ? 0 : 1;
  }
}
