package dev.txguard.queue.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * How {@link Sql} reads its statements: the {@code .sql} resources of the queue's jar, with the
 * schema substituted for {@code ${schema}} (set here, before {@link Sql}'s fields load their
 * statements), and the numbered migrations. Immutable.
 */
abstract class SqlFiles {
  /** Where the numbered migrations live, for Flyway/Liquibase users too. */
  public static final String MIGRATIONS = "/dev/txguard/queue/migration/";

  private static final String STATEMENTS = "/dev/txguard/queue/sql/";

  /** The migrations in order; a new one is appended here and shipped as a new file. */
  private static final List<String> MIGRATION_FILES =
      List.of("V1__create_job.sql", "V2__call_and_cancel.sql", "V3__schedules_and_admin.sql");

  final String schema;

  /** Where jobs becoming available are announced (payload: the queue). */
  final String channel;

  /** Where the ends of awaited jobs are announced (payload: the id). */
  final String doneChannel;

  /**
   * Where cancel asks the running (or prefetched) attempts of other processes to stop (payload: the
   * job's id).
   */
  final String cancelChannel;

  SqlFiles(String schema) {
    this.schema = schema;
    this.channel = schema + "_jobs";
    this.doneChannel = schema + "_done";
    this.cancelChannel = schema + "_cancel";
  }

  /** A migration: its version, file name and SQL for this schema. */
  record Migration(int version, String file, String sql) {}

  /** Every migration, in order. */
  List<Migration> migrations() {
    List<Migration> list = new ArrayList<>();
    for (String file : MIGRATION_FILES) {
      int version = Integer.parseInt(file.substring(1, file.indexOf("__")));
      list.add(new Migration(version, file, substitute(read(MIGRATIONS + file))));
    }
    return list;
  }

  /** The statement of {@code sql/<name>.sql} for this schema. */
  final String statement(String name) {
    return substitute(read(STATEMENTS + name + ".sql"));
  }

  private String substitute(String text) {
    return text.replace("${schema}", schema);
  }

  private static String read(String resource) {
    try (InputStream in = SqlFiles.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "resource " + resource + " is missing from txguard-queue's jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }
}
