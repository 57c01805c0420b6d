-- Story 3 on MariaDB: the records of leaked-tx.sql.
drop table if exists lt_record;
create table lt_record (
  id int primary key,
  payload varchar(100) not null,
  hits int not null default 0
);
