-- Inserts one job. Parameters: kind, queue, args (json text), priority, max_attempts, run_at (null:
-- now), now (null: the database's now()), unique_key, job_group. A job whose unique key an
-- unfinished job already holds is not inserted (no row returned), without aborting the transaction.
-- Returns the row's id and state, and the enqueuing unit's transaction id (xact, see TransactionIds).
insert into ${schema}.job
    (kind, queue, args, state, priority, max_attempts, run_at, created_at, unique_key, job_group)
select v.kind, v.queue, v.args,
       case when v.run_at > v.now then 'scheduled' else 'available' end,
       v.priority, v.max_attempts, coalesce(v.run_at, v.now), v.now, v.unique_key, v.job_group
from (select ?::text as kind, ?::text as queue, ?::jsonb as args, ?::smallint as priority,
             ?::integer as max_attempts, ?::timestamptz as run_at, coalesce(?::timestamptz, now()) as now,
             ?::text as unique_key, ?::text as job_group) v
on conflict (unique_key)
    where unique_key is not null and state in ('scheduled', 'available', 'running', 'retryable')
    do nothing
returning id, state, pg_current_xact_id()::text as xact
