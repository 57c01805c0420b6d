-- Operators: running attempts past half their lease (not extended for more than half the lease: a
-- healthy attempt is extended every third of it), the most urgent first. Jobs claimed before
-- migration 3 have no leased_at; their attempt's start stands in for it.
-- Parameters: now (null: the database's now()), limit.
with v as (select coalesce(?::timestamptz, now()) as now)
select j.id, j.kind, j.queue, j.lease_owner, j.attempt, j.attempted_at, coalesce(j.leased_at, j.attempted_at) as leased_at,
       j.lease_expires_at
from ${schema}.job j, v
where j.state = 'running'
  and v.now > coalesce(j.leased_at, j.attempted_at)
              + (j.lease_expires_at - coalesce(j.leased_at, j.attempted_at)) / 2
order by j.lease_expires_at, j.id
limit ?
