-- Operators: jobs per queue and state, with the run-at of the oldest available job of each queue.
-- Parameter: now (null: the database's now()). Returns queue, state, count, oldest run_at (available
-- rows only, else null), and now.
select queue, state, count(*) as count, min(run_at) filter (where state = 'available') as oldest_available,
       coalesce(?::timestamptz, now()) as now
from ${schema}.job group by queue, state order by queue, state
