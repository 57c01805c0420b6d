-- Cancels unfinished jobs in ONE statement: those that have not started (scheduled, available,
-- retryable) end cancelled; running ones are asked to stop (cancel_requested: their handlers see it
-- through JobContext, and a failure, a lease expiry or a give-up then ends the job cancelled).
-- One statement, not one per state: a job that moves concurrently from running to retryable or
-- available is locked, and READ COMMITTED re-checks the WHERE and computes the SET on its newest
-- version, so it is caught in whichever unfinished state it ends up.
-- Parameters: now (null: the database's now()), id (null: any), group (null: any).
-- Returns each job's id, cancelled (false: asked to stop) and awaited (whether a caller awaits it).
update ${schema}.job
set state = case when state = 'running' then state else 'cancelled' end,
    finalized_at = case when state = 'running' then finalized_at else coalesce(?::timestamptz, now()) end,
    cancel_requested = true
where state in ('scheduled', 'available', 'running', 'retryable')
  and id = coalesce(?::bigint, id)
  and job_group is not distinct from coalesce(?::text, job_group)
returning id, state = 'cancelled' as cancelled, awaited
