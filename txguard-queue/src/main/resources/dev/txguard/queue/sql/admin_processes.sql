-- Operators: the processes of this schema's queue. A started queue names its control connection
-- (application_name = the prefix parameter followed by its owner, cut by the server at 63 bytes);
-- those sessions are the live processes, and the one holding the leader's advisory lock (two-key
-- form: classid = first key, objid = hashtext(schema), objsubid = 2; PostgreSQL doc 54.12
-- "pg_locks") leads. Owners of running jobs' leases are added, so a process whose connection is
-- gone but whose leases have not expired yet shows too (not alive). Uses job_lease_idx.
-- Parameters: the application_name prefix, the leader key's first half, the schema.
with live as (
  select substr(a.application_name, length(v.prefix) + 1) as owner, a.pid, a.backend_start,
         exists (select 1 from pg_locks l
                 where l.pid = a.pid and l.locktype = 'advisory' and l.granted and l.objsubid = 2
                   and l.classid = v.leader_key::oid and l.objid = hashtext(v.schema)::oid) as leader
  from pg_stat_activity a,
       (select ?::text as prefix, ?::integer as leader_key, ?::text as schema) v
  where a.datname = current_database() and starts_with(a.application_name, v.prefix)
), leases as (
  select lease_owner as owner, count(*) as running, min(lease_expires_at) as first_expiry,
         max(lease_expires_at) as last_expiry
  from ${schema}.job
  where state = 'running'
  group by lease_owner
)
select coalesce(live.owner, leases.owner), live.pid, live.backend_start, coalesce(live.leader, false),
       coalesce(leases.running, 0), leases.first_expiry, leases.last_expiry
from live full join leases on leases.owner = live.owner
order by 4 desc, 1
