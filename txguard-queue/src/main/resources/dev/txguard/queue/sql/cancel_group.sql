-- Cancels a group's unfinished jobs in ONE statement, as cancel_job.sql does one job (which see).
-- The group is matched by equality, so the rows are found in job_group_idx (a partial index of the
-- rows with a group) in every plan, not by reading the whole table.
-- Parameters: now (null: the database's now()), group.
-- Returns each job's id, cancelled (false: asked to stop) and awaited (whether a caller awaits it).
update ${schema}.job
set state = case when state = 'running' then state else 'cancelled' end,
    finalized_at = case when state = 'running' then finalized_at else coalesce(?::timestamptz, now()) end,
    cancel_requested = true
where job_group = ?
  and state in ('scheduled', 'available', 'running', 'retryable')
returning id, state = 'cancelled' as cancelled, awaited
