-- Jobs of one kind in one queue schema, for txguard-test's job assertions. Parameters: kind,
-- args (json text, or null for any arguments), queue (or null for any queue). Arguments are
-- compared as jsonb, so key order and spacing do not matter. Returns id, queue, state and args.
select id, queue, state, args::text
from ${schema}.job
where kind = ?
  and (?::jsonb is null or args = ?::jsonb)
  and (?::text is null or queue = ?::text)
order by id
