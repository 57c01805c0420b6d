-- Story 3: the records a request handler loads and updates; some were deleted meanwhile.
drop table if exists lt_record cascade;
create table lt_record (
  id int primary key,
  payload text not null,
  hits int not null default 0
);
