-- migrate(): records one applied migration. Parameters: version, file.
insert into ${schema}.queue_migration (version, file) values (?, ?)
