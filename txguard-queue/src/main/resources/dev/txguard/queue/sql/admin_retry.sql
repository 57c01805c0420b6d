-- Operators: failed or discarded jobs back to available, at once, with one more attempt allowed
-- (max_attempts is raised to the attempt count + 1 when it was used up); their errors are kept.
-- A job whose unique key another unfinished job holds now is left as it is (the unique index would
-- refuse it). Parameters: now (null: the database's now()), ids (bigint[]).
-- Returns the ids retried, their queues and run levels (to wake their workers).
with v as (select coalesce(?::timestamptz, now()) as now)
update ${schema}.job j
set state = 'available', run_at = v.now, finalized_at = null, cancel_requested = false,
    max_attempts = greatest(j.max_attempts, j.attempt + 1)
from v
where j.id = any (?::bigint[]) and j.state in ('failed', 'discarded')
  and (j.unique_key is null or not exists (
      select 1 from ${schema}.job o
      where o.unique_key = j.unique_key and o.id <> j.id
        and o.state in ('scheduled', 'available', 'running', 'retryable')))
returning j.id, j.queue, j.run_level
