-- Story 5: an account a unit updates, and the audit entries a job writes for it.
drop table if exists pd_audit, pd_account cascade;
create table pd_account (
  id int primary key,
  balance int not null
);
create table pd_audit (
  id bigserial primary key,
  account_id int not null references pd_account,
  note text not null
);
insert into pd_account (id, balance) select g, 100 from generate_series(1, 10) g;
