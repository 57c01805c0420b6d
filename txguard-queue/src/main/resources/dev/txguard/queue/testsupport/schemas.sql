-- The schemas of the connection's database that hold a txguard queue (they have its migration
-- table). No parameters; returns one schema name a row.
select table_schema from information_schema.tables
where table_name = 'queue_migration' and table_type = 'BASE TABLE'
order by 1
