-- What a caller of queue.call(...) needs to know about its job. Parameter: id.
select state, result::text, errors::text from ${schema}.job where id = ?
