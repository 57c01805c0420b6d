\set p random(0, 7)
begin;
insert into biz (producer, amount) values (:p, 1);
commit;
