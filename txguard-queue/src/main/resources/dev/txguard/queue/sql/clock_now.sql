-- The queue's now: the injected clock's instant, or the database's now().
-- Parameter: now (null: the database's now()).
select coalesce(?::timestamptz, now()) as now
