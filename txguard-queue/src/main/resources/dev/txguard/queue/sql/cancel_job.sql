-- Cancels one unfinished job in ONE statement: not started (scheduled, available, retryable), it
-- ends cancelled; running, it is asked to stop (cancel_requested, seen through JobContext; a
-- failure, lease expiry or give-up then ends it cancelled). A job moving concurrently from running
-- to retryable or available is locked, and READ COMMITTED re-checks the WHERE and computes the SET
-- on its newest version: it is caught in whichever unfinished state it ends up. A statement apart
-- from cancel_group.sql, so that each finds its rows in an index (here job_pkey) in every plan.
-- Parameters: now (null: the database's now()), id.
-- Returns the job's id, cancelled (false: asked to stop) and awaited (whether a caller awaits it).
update ${schema}.job
set state = case when state = 'running' then state else 'cancelled' end,
    finalized_at = case when state = 'running' then finalized_at else coalesce(?::timestamptz, now()) end,
    cancel_requested = true
where id = ?
  and state in ('scheduled', 'available', 'running', 'retryable')
returning id, state = 'cancelled' as cancelled, awaited
