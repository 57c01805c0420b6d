-- Periodic jobs: moves a schedule's cursor to the latest instant handled (enqueued or skipped).
-- Never moves it back. Parameters: instant, now (null: the database's now()), definition, name.
update ${schema}.schedule
set last_at = greatest(last_at, ?::timestamptz), updated_at = coalesce(?::timestamptz, now()), definition = ?
where name = ?
