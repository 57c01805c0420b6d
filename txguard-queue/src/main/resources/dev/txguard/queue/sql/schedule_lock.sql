-- Periodic jobs: takes a schedule's cursor for this unit (after schedule_create.sql, as a statement
-- of its own so that its snapshot sees a row created concurrently). The row lock makes two
-- processes that both believe they lead enqueue its instants one after the other: READ COMMITTED
-- gives the second the row's newest version, the cursor the first committed.
-- Parameters: now (null: the database's now()), name. Returns the cursor (last_at) and the now.
select s.last_at, v.now
from ${schema}.schedule s, (select coalesce(?::timestamptz, now()) as now) v
where s.name = ?
for update of s
