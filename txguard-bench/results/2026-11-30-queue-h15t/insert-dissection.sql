\timing off
begin;
create function pg_temp.t(p_kind text, p_queue text, p_args text, p_prio smallint, p_max int, p_run timestamptz, p_now timestamptz, p_uk text, p_grp text) returns void language plpgsql as $$
declare t0 timestamptz; n int := 4000; i int; r record;
begin
 for rep in 1..3 loop
 t0 := clock_timestamp();
 for i in 1..n loop
  insert into h15t_scratch.job (kind, queue, args, state, priority, max_attempts, run_at, created_at, unique_key, job_group)
  select v.kind, v.queue, v.args, case when v.run_at > v.now then 'scheduled' else 'available' end, v.priority, v.max_attempts, coalesce(v.run_at, v.now), v.now, v.unique_key, v.job_group
  from (select p_kind as kind, p_queue as queue, p_args::jsonb as args, p_prio as priority, p_max as max_attempts, p_run as run_at, coalesce(p_now, now()) as now, p_uk as unique_key, p_grp as job_group) v
  on conflict (unique_key) where unique_key is not null and state in ('scheduled', 'available', 'running', 'retryable') do nothing returning id, state into r;
 end loop;
 raise notice 'job current : % us', round(extract(epoch from clock_timestamp()-t0)*1e6/n);
 t0 := clock_timestamp();
 for i in 1..n loop
  insert into h15t_scratch.job (kind, queue, args, state, priority, max_attempts, run_at, created_at, unique_key, job_group)
  select v.kind, v.queue, v.args, case when v.run_at > v.now then 'scheduled' else 'available' end, v.priority, v.max_attempts, coalesce(v.run_at, v.now), v.now, v.unique_key, v.job_group
  from (select p_kind as kind, p_queue as queue, p_args::jsonb as args, p_prio as priority, p_max as max_attempts, p_run as run_at, coalesce(p_now, now()) as now, p_uk as unique_key, p_grp as job_group) v
  returning id, state into r;
 end loop;
 raise notice 'job plain   : % us', round(extract(epoch from clock_timestamp()-t0)*1e6/n);
 t0 := clock_timestamp();
 for i in 1..n loop
  insert into h15t_scratch.j_bare (kind, queue, args, state, priority, max_attempts, run_at, created_at, unique_key, job_group)
  select v.kind, v.queue, v.args, case when v.run_at > v.now then 'scheduled' else 'available' end, v.priority, v.max_attempts, coalesce(v.run_at, v.now), v.now, v.unique_key, v.job_group
  from (select p_kind as kind, p_queue as queue, p_args::jsonb as args, p_prio as priority, p_max as max_attempts, p_run as run_at, coalesce(p_now, now()) as now, p_uk as unique_key, p_grp as job_group) v
  returning id, state into r;
 end loop;
 raise notice 'bare plain  : % us', round(extract(epoch from clock_timestamp()-t0)*1e6/n);
 t0 := clock_timestamp();
 for i in 1..n loop
  insert into h15t_scratch.j_cons (kind, queue, args, state, priority, max_attempts, run_at, created_at, unique_key, job_group)
  select v.kind, v.queue, v.args, case when v.run_at > v.now then 'scheduled' else 'available' end, v.priority, v.max_attempts, coalesce(v.run_at, v.now), v.now, v.unique_key, v.job_group
  from (select p_kind as kind, p_queue as queue, p_args::jsonb as args, p_prio as priority, p_max as max_attempts, p_run as run_at, coalesce(p_now, now()) as now, p_uk as unique_key, p_grp as job_group) v
  returning id, state into r;
 end loop;
 raise notice 'cons plain  : % us', round(extract(epoch from clock_timestamp()-t0)*1e6/n);
 t0 := clock_timestamp();
 for i in 1..n loop
  insert into h15t_scratch.j_idx2 (kind, queue, args, state, priority, max_attempts, run_at, created_at, unique_key, job_group)
  select v.kind, v.queue, v.args, case when v.run_at > v.now then 'scheduled' else 'available' end, v.priority, v.max_attempts, coalesce(v.run_at, v.now), v.now, v.unique_key, v.job_group
  from (select p_kind as kind, p_queue as queue, p_args::jsonb as args, p_prio as priority, p_max as max_attempts, p_run as run_at, coalesce(p_now, now()) as now, p_uk as unique_key, p_grp as job_group) v
  returning id, state into r;
 end loop;
 raise notice 'idx2 plain  : % us', round(extract(epoch from clock_timestamp()-t0)*1e6/n);
 t0 := clock_timestamp();
 for i in 1..n loop
  insert into h15t_scratch.biz (producer, amount) values (1, 1) returning id into r;
 end loop;
 raise notice 'biz         : % us', round(extract(epoch from clock_timestamp()-t0)*1e6/n);
 end loop;
end $$;
select pg_temp.t('bench','default','{"id":1,"enqueuedNanos":123456789012}',0::smallint,25,null,null,null,null);
rollback;
