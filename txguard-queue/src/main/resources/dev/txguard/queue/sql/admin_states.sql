-- Operators: the state of each of the given jobs that exists. Parameter: ids (bigint[]).
select id, state from ${schema}.job where id = any (?::bigint[])
