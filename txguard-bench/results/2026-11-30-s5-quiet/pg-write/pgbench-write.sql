\set a random(1, 10000)
\set b random(1, 9999)
\set b case when :b >= :a then :b + 1 else :b end
\set lo least(:a, :b)
\set hi greatest(:a, :b)
\set amount random(1, 99)
\startpipeline
BEGIN;
UPDATE bench_account SET balance = balance - :amount WHERE id = :lo;
UPDATE bench_account SET balance = balance + :amount WHERE id = :hi;
INSERT INTO bench_transfer(from_id, to_id, amount) VALUES (:lo, :hi, :amount);
COMMIT;
\endpipeline
