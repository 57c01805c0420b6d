-- The versions applied to the schema (its record, queue_migration, must exist: check with
-- to_regclass first).
select version from ${schema}.queue_migration order by version
