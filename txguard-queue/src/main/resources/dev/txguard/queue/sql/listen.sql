-- The control connection: listens for available jobs and for the ends of awaited jobs (see notify.sql).
listen ${schema}_jobs;
listen ${schema}_done
