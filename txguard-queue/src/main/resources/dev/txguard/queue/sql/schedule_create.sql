-- Periodic jobs: creates a schedule's row if it is new, with the cursor at "now": a new schedule
-- fires from its first instant after now, never for the past. A concurrent creator makes this
-- wait for its unit, then do nothing. Parameters: name, definition (shown to operators), now
-- (null: the database's now()).
insert into ${schema}.schedule (name, definition, last_at, updated_at)
select v.name, v.definition, v.now, v.now
from (select ?::text as name, ?::text as definition, coalesce(?::timestamptz, now()) as now) v
on conflict (name) do nothing
