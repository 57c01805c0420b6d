-- Inserts one job that has no unique key. Parameters: kind, queue, args (json text), priority,
-- max_attempts, run_at (null: now), now (null: the database's now()), job_group. Returns the row's id
-- and state, and the enqueuing unit's transaction id (xact, see TransactionIds).
-- enqueue.sql without ON CONFLICT: a job without a unique key can conflict with nothing, and an
-- INSERT ... ON CONFLICT always takes PostgreSQL's speculative path (a check of the arbiter index,
-- an insertion token, one more WAL record to confirm the row), which the users' units would pay in
-- every enqueue.
insert into ${schema}.job
    (kind, queue, args, state, priority, max_attempts, run_at, created_at, job_group)
select v.kind, v.queue, v.args,
       case when v.run_at > v.now then 'scheduled' else 'available' end,
       v.priority, v.max_attempts, coalesce(v.run_at, v.now), v.now, v.job_group
from (select ?::text as kind, ?::text as queue, ?::jsonb as args, ?::smallint as priority,
             ?::integer as max_attempts, ?::timestamptz as run_at, coalesce(?::timestamptz, now()) as now,
             ?::text as job_group) v
returning id, state, pg_current_xact_id()::text as xact
