-- Story 2 on MariaDB: the tables of stale-release.sql (no foreign key, as in the original).
drop table if exists sr_task, sr_machine;
create table sr_machine (
  id int primary key,
  name varchar(100) not null,
  state varchar(20) not null
);
create table sr_task (
  id int primary key,
  machine_id int,
  state varchar(20) not null
);
