-- Inserts many jobs that share their options. Parameters: kinds (text[]), args (json text[]), queue,
-- priority, max_attempts, run_at (null: now), now (null: the database's now()), job_group. Returns
-- each job's id, in the order of the arrays, and the enqueuing unit's transaction id (xact, see
-- TransactionIds; the same in every row).
insert into ${schema}.job
    (kind, queue, args, state, priority, max_attempts, run_at, created_at, job_group)
select u.kind, v.queue, u.args::jsonb,
       case when v.run_at > v.now then 'scheduled' else 'available' end,
       v.priority, v.max_attempts, coalesce(v.run_at, v.now), v.now, v.job_group
from unnest(?::text[], ?::text[]) with ordinality as u(kind, args, n),
     (select ?::text as queue, ?::smallint as priority, ?::integer as max_attempts,
             ?::timestamptz as run_at, coalesce(?::timestamptz, now()) as now, ?::text as job_group) v
order by u.n
returning id, pg_current_xact_id()::text as xact
