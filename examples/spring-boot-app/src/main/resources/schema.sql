create table if not exists stock(sku text primary key, qty int not null check (qty >= 0));
create table if not exists orders(id bigserial primary key, sku text not null references stock, qty int not null,
  status text not null);
create table if not exists audit(id bigserial primary key, what text not null, at timestamptz not null default now());
insert into stock(sku, qty) values ('A-1', 100), ('B-2', 5) on conflict do nothing;
