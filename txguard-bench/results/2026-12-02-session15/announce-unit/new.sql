begin;
select (select count(pg_notify('bench_announce_jobs', p)) from unnest('{default@0#a}'::text[]) as p) as notified, set_config('synchronous_commit', 'off', true) as commit_mode;
commit;
