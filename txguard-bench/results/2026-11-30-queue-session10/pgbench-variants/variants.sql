do $$
declare s text;
begin
  foreach s in array array['q1','q2','q3','q4','q5'] loop
    execute format('drop schema if exists %I cascade; create schema %I', s, s);
    execute format('create table %I.job (like q0.job including defaults including identity) with (fillfactor=80)', s);
    execute format('alter table %I.job add primary key (id)', s);
  end loop;
end $$;
-- q1: one merged CHECK, all indexes
alter table q1.job add constraint job_check check (
  state in ('scheduled','available','running','retryable','completed','failed','cancelled','discarded')
  and priority >= 0 and max_attempts >= 1 and attempt >= 0
  and (state = 'running') = (lease_token is not null and lease_expires_at is not null)
  and (state in ('completed','failed','cancelled','discarded')) = (finalized_at is not null));
-- q2: no CHECKs, all indexes; q5: all CHECKs, only claim index
do $$
declare s text;
begin
  foreach s in array array['q1','q2'] loop
    execute format('create index on %I.job (queue, priority, run_at, id) where state = ''available''', s);
    execute format('create index on %I.job (run_at) where state in (''scheduled'', ''retryable'')', s);
    execute format('create index on %I.job (lease_expires_at) where state = ''running''', s);
    execute format('create index on %I.job (finalized_at) where finalized_at is not null', s);
    execute format('create unique index on %I.job (unique_key) where unique_key is not null and state in (''scheduled'', ''available'', ''running'', ''retryable'')', s);
    execute format('create index on %I.job (job_group) where job_group is not null', s);
  end loop;
end $$;
create index on q3.job (queue, priority, run_at, id) where state = 'available';
create index on q5.job (queue, priority, run_at, id) where state = 'available';
alter table q5.job add constraint job_state_check check (state in
      ('scheduled', 'available', 'running', 'retryable', 'completed', 'failed', 'cancelled', 'discarded')),
  add constraint job_priority_check check (priority >= 0),
  add constraint job_attempt_check check (max_attempts >= 1 and attempt >= 0),
  add constraint job_lease_check check ((state = 'running') = (lease_token is not null and lease_expires_at is not null)),
  add constraint job_finalized_check check ((state in ('completed', 'failed', 'cancelled', 'discarded')) = (finalized_at is not null));
