-- Whether the schema has its table of applied migrations (none before the first migrate()).
-- Parameter: the table's qualified name, <schema>.queue_migration.
select to_regclass(?) is not null as recorded
