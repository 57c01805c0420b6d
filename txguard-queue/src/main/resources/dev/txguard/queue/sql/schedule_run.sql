-- Periodic jobs: claims one instant of a schedule. The primary key (schedule, fire_at) makes each
-- instant claimable once across all processes and all time (until its row is deleted after the
-- retention period, long after the cursor moved past it); ON CONFLICT DO NOTHING leaves the
-- unit usable when the instant was taken already. The job is enqueued only when a row comes back.
-- Parameters: schedule, instant, now (null: the database's now()).
insert into ${schema}.schedule_run (schedule, fire_at, created_at)
values (?, ?::timestamptz, coalesce(?::timestamptz, now()))
on conflict (schedule, fire_at) do nothing
returning fire_at
