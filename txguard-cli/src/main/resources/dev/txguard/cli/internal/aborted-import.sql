-- Story 4: imported products and the categories they share (created on first use).
drop table if exists ai_product, ai_category cascade;
create table ai_category (
  id serial primary key,
  name text not null unique
);
create table ai_product (
  sku text primary key,
  category_id int not null references ai_category
);
