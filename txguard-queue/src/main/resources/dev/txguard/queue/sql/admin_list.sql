-- Operators: one page of jobs, newest first, keyset-paged by id. Every filter is optional (null:
-- any). Parameters: states (text[]), kinds (text[]), queues (text[]), group, now (null: the
-- database's now()), created at least this many ms ago, created at most this many ms ago, ids
-- below this one, limit.
with v as (select ?::text[] as states, ?::text[] as kinds, ?::text[] as queues, ?::text as grp,
                  coalesce(?::timestamptz, now()) as now, ?::bigint as older_ms, ?::bigint as newer_ms,
                  ?::bigint as before_id)
select j.id, j.kind, j.queue, j.state, j.priority, j.attempt, j.max_attempts, j.created_at, j.run_at,
       j.finalized_at, j.job_group
from ${schema}.job j, v
where (v.states is null or j.state = any (v.states))
  and (v.kinds is null or j.kind = any (v.kinds))
  and (v.queues is null or j.queue = any (v.queues))
  and (v.grp is null or j.job_group = v.grp)
  and (v.older_ms is null or j.created_at <= v.now - v.older_ms * interval '1 millisecond')
  and (v.newer_ms is null or j.created_at >= v.now - v.newer_ms * interval '1 millisecond')
  and (v.before_id is null or j.id < v.before_id)
order by j.id desc
limit ?
