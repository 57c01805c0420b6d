\set p random(0, 7)
begin;
insert into biz (producer, amount) values (:p, 1);
insert into q0.job (kind, queue, args, state, priority, max_attempts, run_at, created_at, job_group)
select v.kind, v.queue, v.args, case when v.run_at > v.now then 'scheduled' else 'available' end,
       v.priority, v.max_attempts, coalesce(v.run_at, v.now), v.now, v.job_group
from (select 'bench-item'::text as kind, 'default'::text as queue, ('{"producer":' || :p || ',"enqueuedAt":123456789012}')::jsonb as args, 0::smallint as priority,
             25::integer as max_attempts, null::timestamptz as run_at, coalesce(null::timestamptz, now()) as now, null::text as job_group) v
returning id, state, pg_current_xact_id()::text as xact;
commit;
