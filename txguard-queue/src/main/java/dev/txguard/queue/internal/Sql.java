package dev.txguard.queue.internal;

/**
 * The queue's SQL, read once from the {@code .sql} resources with the schema substituted for {@code
 * ${schema}}: every statement the queue sends is one of these (each file's header names its
 * parameters and what it returns; rows are read by column name, see {@link Rows}). To change a
 * statement, edit its file; to add one, add a file and a field here. Thread-safe: immutable but for
 * the claim texts built on first use ({@link #claim}).
 */
public final class Sql extends SqlFiles {
  final String enqueue = statement("enqueue");
  final String enqueuePlain = statement("enqueue_plain");
  final String enqueueBatch = statement("enqueue_batch");
  final String findUnique = statement("find_unique");
  private final String claimTemplate = statement("claim");
  final String claimLostEnd = statement("claim_lost_end");
  final String claimLostWait = statement("claim_lost_wait");
  final String complete = statement("complete");
  final String completeBatch = statement("complete_batch");
  final String recordFailure = statement("record_failure");
  final String heartbeat = statement("heartbeat");
  final String heartbeatCheck = statement("heartbeat_check");

  /**
   * Must run in every unit of the queue's own that runs a statement finding jobs by key ({@link
   * #claim}, {@link #completeBatch}, {@link #heartbeat}, {@link #heartbeatCheck}, {@link
   * #recordFailure}, {@link #giveUp}, {@link #cancelJob}, {@link #cancelGroup}, {@link
   * #groupRunning}, {@link #outcome}), before it: {@link LookupPlans} runs both. See
   * plan_lookups.sql.
   */
  final String planLookups = statement("plan_lookups");

  final String giveUp = statement("give_up");
  final String rescue = statement("rescue");
  final String promote = statement("promote");
  final String deleteFinished = statement("delete_finished");
  final String nextDue = statement("next_due");
  final String stats = statement("stats");
  final String markCall = statement("mark_call");
  final String cancelJob = statement("cancel_job");
  final String cancelGroup = statement("cancel_group");
  final String outcome = statement("outcome");
  final String cancelCheck = statement("cancel_check");
  final String find = statement("find");
  final String scheduleCreate = statement("schedule_create");
  final String scheduleLock = statement("schedule_lock");
  final String scheduleRun = statement("schedule_run");
  final String scheduleRunJob = statement("schedule_run_job");
  final String scheduleAdvance = statement("schedule_advance");
  final String deleteScheduleRuns = statement("delete_schedule_runs");
  final String adminOverview = statement("admin_overview");
  final String adminOverdue = statement("admin_overdue");
  final String adminList = statement("admin_list");
  final String adminRetry = statement("admin_retry");
  final String adminStates = statement("admin_states");
  final String migrationLock = statement("migration_lock");
  final String migrationTable = statement("migration_table");
  final String migrationVersions = statement("migration_versions");
  final String migrationRecord = statement("migration_record");
  final String notify = statement("notify");
  final String notifyQueues = statement("notify_queues");
  final String listeners = statement("listeners");
  final String announce = statement("announce");
  final String listen = statement("listen");
  final String leaderTry = statement("leader_try");
  final String leaderRelease = statement("leader_release");
  final String ping = statement("ping");
  final String sessionSetup = statement("session_setup");
  final String sessionReset = statement("session_reset");
  final String groupLock = statement("group_lock");
  final String groupUnlock = statement("group_unlock");
  final String groupWait = statement("group_wait");
  final String groupTry = statement("group_try");
  final String groupWaitRelease = statement("group_wait_release");
  final String lockTimeout = statement("lock_timeout");
  final String groupRunning = statement("group_running");
  final String migrationRecorded = statement("migration_recorded");
  final String clockNow = statement("clock_now");
  final String nameSession = statement("name_session");
  final String adminThroughput = statement("admin_throughput");
  final String adminProcesses = statement("admin_processes");
  final String adminSchedules = statement("admin_schedules");
  final String adminDetail = statement("admin_detail");

  /**
   * The claim statement for each LIMIT used so far, filled as claims need them: a data race between
   * fetchers at most builds the same immutable text twice.
   */
  private final String[] claimByLimit = new String[ClaimSize.MAX + 1];

  /** Loads every statement for {@code schema}, which must already be a checked identifier. */
  public Sql(String schema) {
    super(schema);
    if (!claimTemplate.contains("limit ${limit}")) {
      throw new IllegalStateException("claim.sql has lost its 'limit ${limit}'");
    }
  }

  /**
   * claim.sql with {@code limit} written in as a constant (see the file's header: with a constant
   * LIMIT the prepared claim gets a generic plan instead of being planned on every call).
   *
   * @param limit 1 to {@link ClaimSize#MAX} jobs; callers round their room with {@link
   *     ClaimSize#limit} so that few distinct texts are prepared per connection
   * @return the statement, the same instance for the same limit once built
   * @throws IllegalArgumentException if {@code limit} is out of range
   */
  String claim(int limit) {
    if (limit < 1 || limit > ClaimSize.MAX) {
      throw new IllegalArgumentException(
          "claim limit must be between 1 and " + ClaimSize.MAX + ", was " + limit);
    }
    String text = claimByLimit[limit];
    if (text == null) {
      text = claimTemplate.replace("${limit}", Integer.toString(limit));
      claimByLimit[limit] = text;
    }
    return text;
  }
}
