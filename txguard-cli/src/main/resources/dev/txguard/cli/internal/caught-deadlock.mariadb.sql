-- Story 4 on MariaDB: accounts moved between in pairs of transfers, a shared statistics table two
-- transfers touch in opposite orders (the deadlock), and one ledger entry per half of a transfer.
drop table if exists cd_entry, cd_stat, cd_account;
create table cd_account (
  id int primary key,
  balance int not null
);
create table cd_stat (
  id int primary key,
  transfers int not null
);
create table cd_entry (
  id bigint auto_increment primary key,
  transfer_id int not null,
  side varchar(6) not null,
  account_id int not null references cd_account (id)
);
insert into cd_account (id, balance) select seq, 100 from seq_1_to_40;
insert into cd_stat (id, transfers) values (1, 0), (2, 0);
