package dev.txguard.queue.internal;

import dev.txguard.Database;
import dev.txguard.Tx;
import dev.txguard.TxOptions;
import dev.txguard.queue.QueueAdmin.MigrationResult;
import dev.txguard.queue.QueueAdmin.MigrationStatus;
import dev.txguard.queue.QueueAdmin.PendingMigration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Applies the numbered migrations that a schema lacks, in one unit serialized by a transaction
 * advisory lock, so that several processes migrating at once apply each migration exactly once: the
 * second waits for the lock, then (READ COMMITTED: each statement sees what committed before it)
 * finds the first one's versions recorded. A schema whose record of applied versions exists is not
 * created again: {@code create schema if not exists} needs the CREATE privilege on the database
 * even when the schema exists (PostgreSQL checks it first), which an application's role usually
 * lacks, so a schema up to date must be confirmed by reading alone (break-it review, session 17).
 */
final class Migrator {
  private final Database db;
  private final Sql sql;

  Migrator(Database db, Sql sql) {
    this.db = db;
    this.sql = sql;
  }

  /** Applies what is missing; returns the versions before and after and those applied. */
  MigrationResult migrate() {
    return db.inTx(
        TxOptions.defaults().name("migrate " + sql.schema),
        tx -> {
          tx.queryOne(sql.migrationLock, rs -> rs.getString(1), LockKeys.MIGRATE, sql.schema);
          if (!recorded(tx)) {
            tx.update(sql.migrationTable);
          }
          Set<Integer> applied = versions(tx);
          int before = highest(applied);
          List<Sql.Migration> missing =
              sql.migrations().stream().filter(m -> !applied.contains(m.version())).toList();
          for (Sql.Migration m : missing) {
            tx.update(m.sql());
            tx.update(sql.migrationRecord, m.version(), m.file());
          }
          int after =
              Math.max(before, highest(missing.stream().map(Sql.Migration::version).toList()));
          return new MigrationResult(
              sql.schema, before, after, missing.stream().map(Sql.Migration::version).toList());
        });
  }

  /** What is applied and what is not, without changing anything. */
  MigrationStatus status() {
    return db.inTx(
        TxOptions.defaults().name("migration status " + sql.schema).readOnly(true),
        tx -> {
          Set<Integer> applied = recorded(tx) ? versions(tx) : Set.of();
          List<PendingMigration> pending =
              sql.migrations().stream()
                  .filter(m -> !applied.contains(m.version()))
                  .map(m -> new PendingMigration(m.version(), m.file(), m.sql()))
                  .toList();
          int latest = highest(sql.migrations().stream().map(Sql.Migration::version).toList());
          return new MigrationStatus(sql.schema, highest(applied), latest, pending);
        });
  }

  /**
   * Checks that every migration is applied, for {@code start()}: a queue started on a schema it
   * cannot use would otherwise fail in every loop, every poll.
   *
   * @throws IllegalStateException naming the schema, its version, the missing migrations and how to
   *     apply them
   */
  void requireCurrent() {
    MigrationStatus s = status();
    if (s.pending().isEmpty()) {
      return;
    }
    throw new IllegalStateException(
        "the queue's schema "
            + s.schema()
            + " is at migration version "
            + s.current()
            + " of "
            + s.latest()
            + " (missing: "
            + s.pending().stream().map(PendingMigration::file).toList()
            + "): migrate it before start() with queue.migrate() (or queue.admin().migrate()), or from a shell with"
            + " 'txguard migrate --url <server> --schema "
            + s.schema()
            + "'");
  }

  /** Whether the schema's record of applied versions exists. */
  private boolean recorded(Tx tx) {
    return tx.queryOne(
            sql.migrationRecorded, rs -> rs.getBoolean("recorded"), sql.schema + ".queue_migration")
        .orElse(false);
  }

  private Set<Integer> versions(Tx tx) {
    return new HashSet<>(tx.query(sql.migrationVersions, rs -> rs.getInt("version")));
  }

  private static int highest(java.util.Collection<Integer> versions) {
    return versions.stream().mapToInt(Integer::intValue).max().orElse(0);
  }
}
