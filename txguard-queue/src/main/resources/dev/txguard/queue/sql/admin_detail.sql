-- Operators: one job for a viewer, its large texts cut in the server so that they never travel
-- whole. Parameters: the limit in characters for args, result, each error's message, each error's
-- trace; the id. Returns find.sql's columns (args, result and errors cut) and the full lengths.
select id, kind, queue, state, priority, attempt, max_attempts, run_at, created_at, attempted_at,
       finalized_at, left(args::text, ?) as args, length(args::text) as args_length,
       left(result::text, ?) as result, coalesce(length(result::text), 0) as result_length,
       (select coalesce(jsonb_agg(e || jsonb_build_object('error', left(e ->> 'error', ?), 'trace', left(e ->> 'trace', ?))
                                  order by n), '[]'::jsonb)
          from jsonb_array_elements(errors) with ordinality as t(e, n))::text as errors,
       (select coalesce(max(greatest(length(e ->> 'error'), length(e ->> 'trace'))), 0)
          from jsonb_array_elements(errors) as t(e)) as longest_error,
       unique_key, job_group, lease_owner, lease_expires_at, cancel_requested
from ${schema}.job where id = ?
