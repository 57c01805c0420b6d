-- The unfinished job holding a unique key. Parameter: unique_key.
select id, state from ${schema}.job
where unique_key = ? and state in ('scheduled', 'available', 'running', 'retryable')
