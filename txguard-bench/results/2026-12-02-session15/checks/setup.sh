#!/bin/bash
# Creates the tables of the in-server insert loops (loops.sql) in database test on 127.0.0.1:5432:
# the business table, the job table as the migrations make it (schema c0), and copies of it that
# differ in their CHECK constraints and indexes (c1-c6). Run from the repository root.
set -e
M=txguard-queue/src/main/resources/dev/txguard/queue/migration
P="psql -h 127.0.0.1 -U postgres test -q -v ON_ERROR_STOP=1"
$P <<'SQL'
drop schema if exists c0, c1, c2, c3, c4, c5, c6 cascade;
drop table if exists cbiz;
create table cbiz (id bigint generated always as identity primary key, producer int not null,
                   amount int not null, created_at timestamptz not null default now());
SQL
for f in $M/V1__create_job.sql $M/V2__call_and_cancel.sql $M/V3__schedules_and_admin.sql; do
  sed 's/\${schema}/c0/g' $f
done | $P
$P <<'SQL'
-- c1: no CHECK constraints, every index of c0
create schema c1;
create table c1.job (like c0.job including defaults including identity including indexes) with (fillfactor = 80);
-- c2: the five CHECKs, the primary key and the claim index only
create schema c2;
create table c2.job (like c0.job including defaults including identity including constraints) with (fillfactor = 80);
alter table c2.job add primary key (id);
create index on c2.job (queue, priority, run_at, id) where state = 'available';
-- c3: no CHECKs, the primary key and the claim index only
create schema c3;
create table c3.job (like c0.job including defaults including identity) with (fillfactor = 80);
alter table c3.job add primary key (id);
create index on c3.job (queue, priority, run_at, id) where state = 'available';
-- c4: no CHECKs, the primary key only
create schema c4;
create table c4.job (like c0.job including defaults including identity) with (fillfactor = 80);
alter table c4.job add primary key (id);
-- c5: every index, the five CHECKs as one constraint (their conjunction)
create schema c5;
create table c5.job (like c0.job including defaults including identity including indexes) with (fillfactor = 80);
alter table c5.job add constraint job_check check (
  state in ('scheduled', 'available', 'running', 'retryable', 'completed', 'failed', 'cancelled', 'discarded')
  and priority >= 0 and max_attempts >= 1 and attempt >= 0
  and (state = 'running') = (lease_token is not null and lease_expires_at is not null)
  and (state in ('completed', 'failed', 'cancelled', 'discarded')) = (finalized_at is not null));
-- c6: every index, the same conjunction inside one PL/pgSQL function (declared immutable)
create schema c6;
create table c6.job (like c0.job including defaults including identity including indexes) with (fillfactor = 80);
create function c6.job_valid(state text, priority smallint, attempt int, max_attempts int,
    lease_token uuid, lease_expires_at timestamptz, finalized_at timestamptz) returns boolean
language plpgsql immutable as $$
begin
  return state in ('scheduled', 'available', 'running', 'retryable', 'completed', 'failed', 'cancelled', 'discarded')
    and priority >= 0 and max_attempts >= 1 and attempt >= 0
    and (state = 'running') = (lease_token is not null and lease_expires_at is not null)
    and (state in ('completed', 'failed', 'cancelled', 'discarded')) = (finalized_at is not null);
end $$;
alter table c6.job add constraint job_check
  check (c6.job_valid(state, priority, attempt, max_attempts, lease_token, lease_expires_at, finalized_at));
SQL
