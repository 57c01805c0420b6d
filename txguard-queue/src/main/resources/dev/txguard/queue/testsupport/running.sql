-- The running jobs of one queue schema, for txguard-test's leak check. No parameters; returns
-- id, kind, queue, lease owner and when the running attempt began.
select id, kind, queue, lease_owner, attempted_at
from ${schema}.job
where state = 'running'
order by id
