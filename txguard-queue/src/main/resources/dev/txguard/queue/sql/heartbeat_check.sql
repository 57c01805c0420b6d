-- After heartbeat.sql, in the same unit: the state of the heartbeat's jobs and whether cancel was
-- requested for them. A job the heartbeat did not extend lost its lease if it is still unfinished
-- (rescued, possibly claimed again); one that finished is not reported. Parameter: ids (bigint[]).
select id, state in ('scheduled', 'available', 'running', 'retryable') as unfinished, cancel_requested
from ${schema}.job where id = any (?::bigint[])
