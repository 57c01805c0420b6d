package dev.txguard.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.txguard.cli.internal.DurationText;
import dev.txguard.cli.internal.QueueTarget;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The shape of {@code txguard migrate}, {@code txguard queue ...} and {@code txguard dashboard}:
 * connect (options or environment), check the schema, run one {@code QueueAdmin} operation.
 * Subclasses implement {@link #run}; the exit status is theirs (0 done, 1 not everything done), and
 * 2 for bad invocations comes from {@link Txguard}'s handlers. Commands that print a result take
 * {@code --json} through {@link ReportCommand}.
 */
abstract class AdminCommand implements Callable<Integer> {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Spec CommandSpec spec;

  @Mixin ServerOptions server = new ServerOptions();

  private final Map<String, String> env;

  AdminCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public final Integer call() {
    check();
    try (QueueTarget target =
        QueueTarget.open(server.server(env, spec.commandLine()), server.schema(env))) {
      if (needsMigratedSchema()) {
        target.requireMigrated();
      }
      return run(target, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
  }

  /** Checks the options before connecting; throws {@code ParameterException} for bad ones. */
  void check() {}

  /**
   * Job ids are positive: a zero or negative one is a bad invocation, not a job that is missing.
   */
  void requirePositiveIds(List<Long> ids) {
    for (long id : ids) {
      if (id <= 0) {
        throw new ParameterException(spec.commandLine(), "job ids are positive numbers, was " + id);
      }
    }
  }

  /** Whether the command refuses to run on a schema that lacks migrations. */
  boolean needsMigratedSchema() {
    return true;
  }

  /** Does the work and returns the exit status. */
  abstract int run(QueueTarget target, PrintWriter out, PrintWriter err);

  /** Prints {@code node} as indented JSON. */
  static void printJson(PrintWriter out, JsonNode node) {
    try {
      out.println(JSON.writeValueAsString(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }

  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  /** An instant as ISO-8601 text, or JSON null. */
  static void putInstant(ObjectNode node, String field, Optional<Instant> t) {
    if (t.isPresent()) {
      node.put(field, t.get().toString());
    } else {
      node.putNull(field);
    }
  }

  /** A JSON text (arguments, result) as JSON itself; as a string if it does not parse. */
  static JsonNode rawJson(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      return JSON.getNodeFactory().textNode(text);
    }
  }

  /** {@code t} seen from {@code now}: {@code in 40s}, or {@code 5m2s ago}. */
  static String relative(Instant t, Instant now) {
    return t.isAfter(now)
        ? "in " + DurationText.format(Duration.between(now, t))
        : DurationText.format(Duration.between(t, now)) + " ago";
  }

  /** An instant for tables: {@code 2026-11-30 01:02:03Z}. */
  static String shortInstant(Instant t) {
    return t == null
        ? "-"
        : t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString().replace('T', ' ');
  }
}
