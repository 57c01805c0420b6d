-- Operators: one job for a viewer, its large texts cut in the server so that they never travel
-- whole, and only its newest errors (a job retried thousands of times, or errors written by another
-- tool, would otherwise travel all at once). Parameters: the limit in characters for args, result,
-- each error's message, each error's trace; how many of the newest errors to return; the id.
-- Returns find.sql's columns (args, result and errors cut) and the full lengths, the longest of the
-- returned errors' texts and how many errors the job has.
with v as (select ?::integer as text_limit, ?::integer as errors_shown)
select id, kind, queue, state, priority, attempt, max_attempts, run_at, created_at, attempted_at,
       finalized_at, left(args::text, v.text_limit) as args, length(args::text) as args_length,
       left(result::text, v.text_limit) as result, coalesce(length(result::text), 0) as result_length,
       (select coalesce(jsonb_agg(e || jsonb_build_object('error', left(e ->> 'error', v.text_limit),
                                                          'trace', left(e ->> 'trace', v.text_limit))
                                  order by n), '[]'::jsonb)
          from jsonb_array_elements(errors) with ordinality as t(e, n)
          where n > jsonb_array_length(errors) - v.errors_shown)::text as errors,
       (select coalesce(max(greatest(length(e ->> 'error'), length(e ->> 'trace'))), 0)
          from jsonb_array_elements(errors) with ordinality as t(e, n)
          where n > jsonb_array_length(errors) - v.errors_shown) as longest_error,
       jsonb_array_length(errors) as error_count,
       unique_key, job_group, lease_owner, lease_expires_at, cancel_requested
from ${schema}.job, v where id = ?
