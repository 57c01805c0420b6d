\set p random(0, 7)
begin;
insert into biz (producer, amount) values (:p, 1);
\startpipeline
insert into biz2 (producer, amount) values (:p, 2);
commit;
\endpipeline
