#!/bin/bash
# Creates the tables the scripts write, in database test on 127.0.0.1:5432 (run from the repository root).
set -e
M=txguard-queue/src/main/resources/dev/txguard/queue/migration
P="psql -h 127.0.0.1 -U postgres test -q -v ON_ERROR_STOP=1"
$P <<'SQL'
drop schema if exists q0 cascade;
drop schema if exists q4 cascade;
drop table if exists biz, biz2, outbox;
create table biz (id bigint generated always as identity primary key, producer int not null,
                  amount int not null, created_at timestamptz not null default now());
create table biz2 (like biz including all);
create table outbox (id bigint generated always as identity primary key, kind text not null,
                     queue text not null, args jsonb not null, created_at timestamptz not null default now());
SQL
for f in $M/V1__create_job.sql $M/V2__call_and_cancel.sql $M/V3__schedules_and_admin.sql; do
  sed 's/\${schema}/q0/g' $f
done | $P
$P <<'SQL'
create schema q4;
create table q4.job (like q0.job including defaults including identity) with (fillfactor = 80);
alter table q4.job add primary key (id);
SQL
