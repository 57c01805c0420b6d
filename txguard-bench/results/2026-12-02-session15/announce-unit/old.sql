begin;
set local synchronous_commit = off;
select count(pg_notify('bench_announce_jobs', p)) from unnest('{default@0#a}'::text[]) as p;
select pg_current_xact_id_if_assigned()::text;
commit;
