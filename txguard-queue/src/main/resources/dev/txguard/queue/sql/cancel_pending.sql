-- Cancels unfinished jobs that are not running. Parameters: now (null: the database's now()), id
-- (null: any), group (null: any). Returns the cancelled jobs' ids and whether a caller awaits them.
update ${schema}.job
set state = 'cancelled',
    finalized_at = coalesce(?::timestamptz, now())
where state in ('scheduled', 'available', 'retryable')
  and id = coalesce(?::bigint, id)
  and job_group is not distinct from coalesce(?::text, job_group)
returning id, awaited
