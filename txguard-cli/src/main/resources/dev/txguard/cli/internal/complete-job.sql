-- Story 1: a job server's job and everything its completion touches.
drop table if exists cj_notification, cj_log, cj_resource, cj_build, cj_job cascade;
create table cj_job (
  id int primary key,
  state text not null,
  completed_at timestamptz
);
create table cj_build (
  job_id int primary key references cj_job,
  status text not null
);
create table cj_resource (
  id bigserial primary key,
  job_id int not null references cj_job,
  name text not null
);
create table cj_log (
  id bigserial primary key,
  job_id int not null references cj_job,
  line text not null
);
create table cj_notification (
  id bigserial primary key,
  job_id int not null references cj_job,
  message text not null
);
insert into cj_job (id, state) select g, 'running' from generate_series(1, 40) g;
insert into cj_build (job_id, status) select g, 'building' from generate_series(1, 40) g;
