-- Story 1 on MariaDB: the tables of complete-job.sql (InnoDB, the server's default engine);
-- the rows come from the Sequence engine's seq_1_to_40 (MariaDB has no generate_series).
drop table if exists cj_notification, cj_log, cj_resource, cj_build, cj_job;
create table cj_job (
  id int primary key,
  state varchar(20) not null,
  completed_at datetime(6)
);
create table cj_build (
  job_id int primary key references cj_job (id),
  status varchar(20) not null
);
create table cj_resource (
  id bigint auto_increment primary key,
  job_id int not null references cj_job (id),
  name varchar(100) not null
);
create table cj_log (
  id bigint auto_increment primary key,
  job_id int not null references cj_job (id),
  line varchar(200) not null
);
create table cj_notification (
  id bigint auto_increment primary key,
  job_id int not null references cj_job (id),
  message varchar(200) not null
);
insert into cj_job (id, state) select seq, 'running' from seq_1_to_40;
insert into cj_build (job_id, status) select seq, 'building' from seq_1_to_40;
