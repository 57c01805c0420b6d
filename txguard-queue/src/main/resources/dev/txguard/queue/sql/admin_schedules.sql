-- Operators: each periodic schedule's cursor and its latest enqueued instant with that job's state
-- (null once the job was deleted after retention). Uses schedule_run's primary key (schedule,
-- fire_at), read backwards. Returns name, definition, last_at (the latest instant handled),
-- updated_at, the latest run's instant, its job id and the job's state.
select s.name, s.definition, s.last_at, s.updated_at, r.fire_at, r.job_id, j.state
from ${schema}.schedule s
left join lateral (
  select fire_at, job_id from ${schema}.schedule_run sr
  where sr.schedule = s.name
  order by sr.fire_at desc
  limit 1) r on true
left join ${schema}.job j on j.id = r.job_id
order by s.name
