-- txguard-queue schema, version 1: the job table and the indexes its statements rely on.
-- ${schema} is the queue's schema (JobQueue.Builder#schema, default txguard_queue). Flyway and
-- Liquibase users define a placeholder/property named "schema" and run these files as they are.

create schema if not exists ${schema};

create table ${schema}.job (
  id               bigint generated always as identity primary key,
  kind             text        not null,
  queue            text        not null,
  args             jsonb       not null,
  state            text        not null,
  priority         smallint    not null default 0,
  attempt          integer     not null default 0,
  max_attempts     integer     not null,
  run_at           timestamptz not null,
  created_at       timestamptz not null,
  attempted_at     timestamptz,
  finalized_at     timestamptz,
  -- the lease of the running attempt: who runs it, which attempt (token) and until when
  lease_owner      text,
  lease_token      uuid,
  lease_expires_at timestamptz,
  errors           jsonb       not null default '[]',
  result           jsonb,
  unique_key       text,
  -- reserved for cancel-and-wait by group (issue 7)
  job_group        text,
  constraint job_state_check check (state in
      ('scheduled', 'available', 'running', 'retryable', 'completed', 'failed', 'cancelled', 'discarded')),
  constraint job_priority_check check (priority >= 0),
  constraint job_attempt_check check (max_attempts >= 1 and attempt >= 0),
  -- a running job always has a lease, and only a running job has one
  constraint job_lease_check check ((state = 'running') = (lease_token is not null and lease_expires_at is not null)),
  constraint job_finalized_check check
      ((state in ('completed', 'failed', 'cancelled', 'discarded')) = (finalized_at is not null))
) with (
  -- a queue table churns: vacuum and analyze it long before the default 20 % of dead rows
  autovacuum_vacuum_scale_factor = 0.01,
  autovacuum_analyze_scale_factor = 0.01,
  fillfactor = 80
);

-- The claim: a partial index holding only available jobs, ordered exactly like the claim's
-- ORDER BY, so that a generic (cached) plan chosen while the table was empty and unanalysed is
-- still an index scan that stops after LIMIT rows.
create index job_claim_idx on ${schema}.job (queue, priority, run_at, id) where state = 'available';

-- promotion of scheduled and retryable jobs, rescue of expired leases, deletion of finished jobs
create index job_pending_idx on ${schema}.job (run_at) where state in ('scheduled', 'retryable');
create index job_lease_idx on ${schema}.job (lease_expires_at) where state = 'running';
create index job_finalized_idx on ${schema}.job (finalized_at) where finalized_at is not null;

-- one unfinished job per unique key
create unique index job_unique_key_idx on ${schema}.job (unique_key)
    where unique_key is not null and state in ('scheduled', 'available', 'running', 'retryable');

create index job_group_idx on ${schema}.job (job_group) where job_group is not null;
