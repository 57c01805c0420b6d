-- One job. Parameter: id.
select id, kind, queue, state, priority, attempt, max_attempts, run_at, created_at, attempted_at,
       finalized_at, args::text, errors::text, result::text, unique_key, job_group, lease_owner,
       lease_expires_at, cancel_requested
from ${schema}.job where id = ?
