drop schema if exists q6 cascade; create schema q6;
create function q6.job_valid(state text, priority smallint, attempt integer, max_attempts integer,
    lease_token uuid, lease_expires_at timestamptz, finalized_at timestamptz) returns boolean
language plpgsql immutable parallel safe as $f$
begin
  return state in ('scheduled','available','running','retryable','completed','failed','cancelled','discarded')
     and priority >= 0 and max_attempts >= 1 and attempt >= 0
     and (state = 'running') = (lease_token is not null and lease_expires_at is not null)
     and (state in ('completed','failed','cancelled','discarded')) = (finalized_at is not null);
end $f$;
create table q6.job (like q0.job including defaults including identity) with (fillfactor=80);
alter table q6.job add primary key (id);
alter table q6.job add constraint job_valid check (q6.job_valid(state, priority, attempt, max_attempts, lease_token, lease_expires_at, finalized_at));
create index on q6.job (queue, priority, run_at, id) where state = 'available';
create index on q6.job (run_at) where state in ('scheduled', 'retryable');
create index on q6.job (lease_expires_at) where state = 'running';
create index on q6.job (finalized_at) where finalized_at is not null;
create unique index on q6.job (unique_key) where unique_key is not null and state in ('scheduled', 'available', 'running', 'retryable');
create index on q6.job (job_group) where job_group is not null;
