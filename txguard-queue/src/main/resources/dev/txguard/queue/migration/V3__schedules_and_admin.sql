-- txguard-queue schema, version 3: periodic jobs and operator views (issue 17).
-- schedule: one row per schedule name, the cursor of its instants. last_at is the latest instant
--   that was handled (enqueued, or skipped by the missed-run policy); the leader locks the row
--   (SELECT ... FOR UPDATE) while it enqueues the instants after it, so two processes that both
--   believe they lead take turns, and the second finds the cursor already moved.
-- schedule_run: one row per (schedule, instant) ever enqueued: the primary key is what makes each
--   instant enqueued at most once across all processes, whatever the cursor says. job_id names the
--   job (null once that job was deleted after retention, or when the policy skipped the instant).
-- job.leased_at: when the running attempt's lease was last granted or extended (claim, heartbeat),
--   so that operators can see attempts past half their lease without knowing the lease duration.
create table ${schema}.schedule (
  name        text        primary key,
  definition  text        not null,
  last_at     timestamptz not null,
  updated_at  timestamptz not null
);

create table ${schema}.schedule_run (
  schedule    text        not null,
  fire_at     timestamptz not null,
  job_id      bigint,
  created_at  timestamptz not null,
  primary key (schedule, fire_at)
);

create index schedule_run_created_idx on ${schema}.schedule_run (created_at);

alter table ${schema}.job add column leased_at timestamptz;
