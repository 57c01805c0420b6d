package dev.txguard.cli;

import dev.txguard.cli.internal.ConnectionInfo;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Where {@code txguard migrate} and {@code txguard queue ...} connect: options, else the
 * environment ({@code TXGUARD_URL}, {@code TXGUARD_USER}, {@code TXGUARD_PASSWORD}, {@code
 * TXGUARD_SCHEMA}).
 */
final class ServerOptions {
  @Option(
      names = "--url",
      paramLabel = "JDBC_URL",
      description =
          "The PostgreSQL server, e.g."
              + " jdbc:postgresql://localhost:5432/app (default: $TXGUARD_URL).")
  String url;

  @Option(names = "--user", paramLabel = "USER", description = "User (default: $TXGUARD_USER).")
  String user;

  @Option(
      names = "--password",
      paramLabel = "PASSWORD",
      description =
          "Password (default: $TXGUARD_PASSWORD;"
              + " prefer the variable: options show in process lists).")
  String password;

  @Option(
      names = "--schema",
      paramLabel = "SCHEMA",
      description = "The queue's schema (default: $TXGUARD_SCHEMA," + " else txguard_queue).")
  String schema;

  /**
   * The server, from the options or {@code env}; a missing or malformed URL is a bad invocation.
   */
  ConnectionInfo server(Map<String, String> env, CommandLine cmd) {
    String u = url != null ? url : env.get("TXGUARD_URL");
    if (u == null || u.isBlank()) {
      throw new ParameterException(
          cmd,
          "no server given: pass --url jdbc:postgresql://HOST:PORT/DATABASE or set"
              + " TXGUARD_URL");
    }
    if (!u.startsWith("jdbc:postgresql://")) {
      throw new ParameterException(
          cmd,
          (url != null ? "--url" : "TXGUARD_URL")
              + " must be a PostgreSQL JDBC URL"
              + " starting with jdbc:postgresql://, was "
              + new ConnectionInfo(u, null, null).displayUrl());
    }
    return new ConnectionInfo(
        u,
        user != null ? user : env.get("TXGUARD_USER"),
        password != null ? password : env.get("TXGUARD_PASSWORD"));
  }

  /** The schema, from the option or {@code env}, else the queue's default. */
  String schema(Map<String, String> env) {
    if (schema != null) {
      return schema;
    }
    String s = env.get("TXGUARD_SCHEMA");
    return s != null && !s.isBlank() ? s : "txguard_queue";
  }
}
