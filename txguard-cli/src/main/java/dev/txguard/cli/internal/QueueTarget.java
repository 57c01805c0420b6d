package dev.txguard.cli.internal;

import dev.txguard.Database;
import dev.txguard.queue.JobQueue;
import dev.txguard.queue.QueueAdmin;
import dev.txguard.queue.QueueAdmin.MigrationStatus;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * The server and queue schema a {@code txguard migrate} or {@code txguard queue} command works on:
 * checks that the server can be reached (a bad URL or login is the user's to fix: status 2), then
 * opens a small {@link Database} and the queue's {@link QueueAdmin}. Closing closes the database.
 */
public final class QueueTarget implements AutoCloseable {
  private final ConnectionInfo server;
  private final Database db;
  private final QueueAdmin admin;

  private QueueTarget(ConnectionInfo server, Database db, QueueAdmin admin) {
    this.server = server;
    this.db = db;
    this.admin = admin;
  }

  /**
   * Connects to {@code server} and prepares the admin of {@code schema}.
   *
   * @throws BadInvocationException if the server cannot be reached or refuses the login, or the
   *     schema name is not valid
   */
  public static QueueTarget open(ConnectionInfo server, String schema) {
    try (Connection c = server.connect()) {
      c.isValid(5);
    } catch (SQLException e) {
      throw new BadInvocationException(
          "cannot connect to "
              + server.displayUrl()
              + ": "
              + server.redact(DemoServer.firstLine(e)),
          e);
    }
    Database db;
    try {
      db =
          Database.builder()
              .url(server.url())
              .user(server.user())
              .password(server.password())
              .poolSize(2)
              .levelPoolSize(1)
              .maxLevels(2)
              .connectionTimeout(Duration.ofSeconds(10))
              .build();
    } catch (RuntimeException e) {
      throw new BadInvocationException(
          "cannot connect to "
              + server.displayUrl()
              + ": "
              + server.redact(DemoServer.rootMessage(e)),
          e);
    }
    try {
      return new QueueTarget(server, db, JobQueue.builder(db).schema(schema).build().admin());
    } catch (IllegalArgumentException e) {
      db.close();
      throw new BadInvocationException("--schema: " + e.getMessage(), e);
    }
  }

  /** The admin of the schema. */
  public QueueAdmin admin() {
    return admin;
  }

  /**
   * The server's clock now: what times in a report are relative to (the server's clock wrote them,
   * and the operator's machine may disagree with it).
   */
  public Instant serverTime() {
    return db.inTx(
        tx ->
            tx.queryOne(
                    "select statement_timestamp()",
                    rs -> rs.getObject(1, OffsetDateTime.class).toInstant())
                .orElseThrow());
  }

  /** Where it connected, for messages (without a password). */
  public String description() {
    return server.displayUrl() + ", schema " + admin.schema();
  }

  /**
   * Fails unless the schema has every migration this txguard ships.
   *
   * @throws BadInvocationException naming the schema, its version and {@code txguard migrate}
   */
  public void requireMigrated() {
    refuseNewerSchema();
    MigrationStatus s = admin.migrationStatus();
    if (s.current() < s.latest()) {
      throw new BadInvocationException(
          "schema "
              + s.schema()
              + " on "
              + server.displayUrl()
              + " is at queue version "
              + s.current()
              + " of "
              + s.latest()
              + (s.current() == 0 ? " (no txguard queue there)" : "")
              + ": run txguard migrate first (or pass the right --schema)",
          null);
    }
  }

  /**
   * Fails when the schema was migrated by a newer txguard than this one: this binary's statements
   * may not match it.
   *
   * @throws BadInvocationException naming both versions
   */
  public void refuseNewerSchema() {
    MigrationStatus s = admin.migrationStatus();
    if (s.current() > s.latest()) {
      throw new BadInvocationException(
          "schema "
              + s.schema()
              + " on "
              + server.displayUrl()
              + " is at queue version "
              + s.current()
              + ", newer than this txguard knows ("
              + s.latest()
              + "): use the txguard that migrated it,"
              + " or a newer one",
          null);
    }
  }

  @Override
  public void close() {
    db.close();
  }
}
