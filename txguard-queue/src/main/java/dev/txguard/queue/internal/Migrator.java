package dev.txguard.queue.internal;

import dev.txguard.Database;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Applies the numbered migrations that a schema lacks, in one unit serialized by a transaction
 * advisory lock, so that several processes migrating at once apply each migration exactly once.
 */
final class Migrator {
  private final Database db;
  private final Sql sql;

  Migrator(Database db, Sql sql) {
    this.db = db;
    this.sql = sql;
  }

  /** Returns the versions applied by this call (empty when the schema was up to date). */
  List<Integer> migrate() {
    return db.inTx(tx -> {
      tx.queryOne("select pg_advisory_xact_lock(?, hashtext(?))::text", rs -> rs.getString(1),
          LockKeys.MIGRATE, sql.schema);
      tx.update("create schema if not exists " + sql.schema);
      tx.update("create table if not exists " + sql.schema + ".queue_migration ("
          + "version integer primary key, file text not null, applied_at timestamptz not null default now())");
      Set<Integer> applied = new HashSet<>(
          tx.query("select version from " + sql.schema + ".queue_migration", rs -> rs.getInt(1)));
      List<Sql.Migration> missing = sql.migrations().stream().filter(m -> !applied.contains(m.version())).toList();
      for (Sql.Migration m : missing) {
        tx.update(m.sql());
        tx.update("insert into " + sql.schema + ".queue_migration(version, file) values (?, ?)", m.version(), m.file());
      }
      return missing.stream().map(Sql.Migration::version).toList();
    });
  }
}
