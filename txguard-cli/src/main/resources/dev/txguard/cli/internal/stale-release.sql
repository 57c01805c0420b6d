-- Story 2: analysis machines and the tasks running on them (no foreign key, as in the original).
drop table if exists sr_task, sr_machine cascade;
create table sr_machine (
  id int primary key,
  name text not null,
  state text not null
);
create table sr_task (
  id int primary key,
  machine_id int,
  state text not null
);
