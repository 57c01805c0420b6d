\set p random(0, 7)
begin;
insert into biz (producer, amount) values (:p, 1);
\startpipeline
insert into outbox (kind, queue, args) values ('bench-item', 'default', ('{"producer":' || :p || ',"enqueuedAt":123456789012}')::jsonb) returning id;
commit;
\endpipeline
