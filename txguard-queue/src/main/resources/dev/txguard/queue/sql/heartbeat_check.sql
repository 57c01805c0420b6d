-- After heartbeat.sql, in the same unit: for each of the heartbeat's attempts, whether it lost its
-- lease (its job is unfinished but no longer running under this attempt's token: rescued, possibly
-- claimed again) and whether cancel was requested. A job that finished is not reported lost; one
-- the heartbeat skipped because its row was locked still holds its lease if its token is unchanged.
-- Parameters: ids (bigint[]), attempt tokens (uuid[] as text[]) in the same order.
with mine as (select h.id, h.token from unnest(?::bigint[], ?::text[]::uuid[]) as h(id, token))
select j.id,
       j.state in ('scheduled', 'available', 'running', 'retryable')
         and not (j.state = 'running' and j.lease_token is not distinct from mine.token) as lost,
       j.cancel_requested
from ${schema}.job j join mine on j.id = mine.id
