package dev.txguard.queue.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The queue's SQL, read once from the {@code .sql} resources with the schema substituted for
 * {@code ${schema}}: every statement the queue sends is one of these (each file's header names its
 * parameters and what it returns; rows are read by column name, see {@link Rows}). To change a
 * statement, edit its file; to add one, add a file and a field here. Immutable.
 */
public final class Sql {
  /** Where the numbered migrations live, for Flyway/Liquibase users too. */
  public static final String MIGRATIONS = "/dev/txguard/queue/migration/";
  private static final String STATEMENTS = "/dev/txguard/queue/sql/";
  /** The migrations in order; a new one is appended here and shipped as a new file. */
  private static final List<String> MIGRATION_FILES = List.of(
      "V1__create_job.sql", "V2__call_and_cancel.sql", "V3__schedules_and_admin.sql");

  final String schema;
  final String channel;
  /** Where completions and final failures of awaited jobs are announced (payload: the id). */
  final String doneChannel;
  final String enqueue;
  final String enqueueBatch;
  final String findUnique;
  final String claim;
  final String complete;
  final String recordFailure;
  final String heartbeat;
  final String heartbeatCheck;
  final String giveUp;
  final String rescue;
  final String promote;
  final String deleteFinished;
  final String stats;
  final String markCall;
  final String cancel;
  final String outcome;
  final String cancelCheck;
  final String find;
  final String scheduleCreate;
  final String scheduleLock;
  final String scheduleRun;
  final String scheduleRunJob;
  final String scheduleAdvance;
  final String deleteScheduleRuns;
  final String adminOverview;
  final String adminOverdue;
  final String adminList;
  final String adminRetry;
  final String adminStates;
  final String migrationLock;
  final String migrationTable;
  final String migrationVersions;
  final String migrationRecord;
  final String notify;
  final String listen;
  final String leaderTry;
  final String leaderRelease;
  final String ping;
  final String sessionSetup;
  final String sessionReset;
  final String groupLock;
  final String groupUnlock;
  final String groupWait;
  final String groupTry;
  final String groupWaitRelease;
  final String lockTimeout;
  final String groupRunning;
  final String migrationRecorded;
  final String clockNow;

  /** Loads every statement for {@code schema}, which must already be a checked identifier. */
  public Sql(String schema) {
    this.schema = schema;
    this.channel = schema + "_jobs";
    this.doneChannel = schema + "_done";
    this.enqueue = statement("enqueue");
    this.enqueueBatch = statement("enqueue_batch");
    this.findUnique = statement("find_unique");
    this.claim = statement("claim");
    this.complete = statement("complete");
    this.recordFailure = statement("record_failure");
    this.heartbeat = statement("heartbeat");
    this.heartbeatCheck = statement("heartbeat_check");
    this.giveUp = statement("give_up");
    this.rescue = statement("rescue");
    this.promote = statement("promote");
    this.deleteFinished = statement("delete_finished");
    this.stats = statement("stats");
    this.markCall = statement("mark_call");
    this.cancel = statement("cancel");
    this.outcome = statement("outcome");
    this.cancelCheck = statement("cancel_check");
    this.find = statement("find");
    this.scheduleCreate = statement("schedule_create");
    this.scheduleLock = statement("schedule_lock");
    this.scheduleRun = statement("schedule_run");
    this.scheduleRunJob = statement("schedule_run_job");
    this.scheduleAdvance = statement("schedule_advance");
    this.deleteScheduleRuns = statement("delete_schedule_runs");
    this.adminOverview = statement("admin_overview");
    this.adminOverdue = statement("admin_overdue");
    this.adminList = statement("admin_list");
    this.adminRetry = statement("admin_retry");
    this.adminStates = statement("admin_states");
    this.migrationLock = statement("migration_lock");
    this.migrationTable = statement("migration_table");
    this.migrationVersions = statement("migration_versions");
    this.migrationRecord = statement("migration_record");
    this.notify = statement("notify");
    this.listen = statement("listen");
    this.leaderTry = statement("leader_try");
    this.leaderRelease = statement("leader_release");
    this.ping = statement("ping");
    this.sessionSetup = statement("session_setup");
    this.sessionReset = statement("session_reset");
    this.groupLock = statement("group_lock");
    this.groupUnlock = statement("group_unlock");
    this.groupWait = statement("group_wait");
    this.groupTry = statement("group_try");
    this.groupWaitRelease = statement("group_wait_release");
    this.lockTimeout = statement("lock_timeout");
    this.groupRunning = statement("group_running");
    this.migrationRecorded = statement("migration_recorded");
    this.clockNow = statement("clock_now");
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

  private String statement(String name) {
    return substitute(read(STATEMENTS + name + ".sql"));
  }

  private String substitute(String text) {
    return text.replace("${schema}", schema);
  }

  private static String read(String resource) {
    try (InputStream in = Sql.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("resource " + resource + " is missing from txguard-queue's jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }
}
