-- migrate(), after migration_lock.sql: the schema and its record of applied versions.
create schema if not exists ${schema};
create table if not exists ${schema}.queue_migration (
  version integer primary key, file text not null, applied_at timestamptz not null default now());
