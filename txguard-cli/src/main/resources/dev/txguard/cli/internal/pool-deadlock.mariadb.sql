-- Story 5 on MariaDB: the tables of pool-deadlock.sql; the rows from the Sequence engine.
-- pd_audit has no foreign key here: InnoDB checks one with a shared lock on the account row, which
-- waits for the unit's own update of that row (the job runs on another connection), a lock wait
-- the story is not about; PostgreSQL's check takes FOR KEY SHARE, which a non-key update allows.
drop table if exists pd_audit, pd_account;
create table pd_account (
  id int primary key,
  balance int not null
);
create table pd_audit (
  id bigint auto_increment primary key,
  account_id int not null,
  note varchar(100) not null
);
insert into pd_account (id, balance) select seq, 100 from seq_1_to_10;
