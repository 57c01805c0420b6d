package dev.txguard.examples.first;

import dev.txguard.Database;
import dev.txguard.Isolation;
import dev.txguard.TxOptions;
import java.time.Duration;

/** The README's first example: one order placed in one unit of work. */
public final class FirstExample {
  public static void main(String[] args) {
    String url =
        args.length > 0 ? args[0] : "jdbc:postgresql://localhost:5432/postgres?user=postgres";
    try (Database db = Database.builder().url(url).poolSize(4).build()) {
      db.useTx(
          tx -> {
            tx.update("create table if not exists stock (sku text primary key, qty int not null)");
            tx.update(
                "create table if not exists orders (id bigserial primary key, sku text not null)");
            tx.update(
                "insert into stock values ('A-1', 10) on conflict (sku) do update set qty = 10");
          });

      // conflicts (SQLSTATE 40001) are retried, up to 5 attempts; the timeout bounds the whole
      // unit, all attempts included
      TxOptions placeOrder =
          TxOptions.defaults()
              .name("place-order")
              .isolation(Isolation.SERIALIZABLE)
              .timeout(Duration.ofSeconds(2));
      long orderId =
          db.inTx(
              placeOrder,
              tx -> {
                tx.updateExactly(
                    1, "update stock set qty = qty - 1 where sku = ? and qty > 0", "A-1");
                long id =
                    tx.queryOne(
                            "insert into orders(sku) values (?) returning id",
                            rs -> rs.getLong(1),
                            "A-1")
                        .orElseThrow();
                // runs only if the unit commits
                tx.afterCommit(() -> System.out.println("order " + id + " confirmed"));
                return id;
              });
      // committed here; rolled back if anything threw

      int left =
          db.inTx(
              tx ->
                  tx.queryOne("select qty from stock where sku = 'A-1'", rs -> rs.getInt(1))
                      .orElseThrow());
      System.out.println("placed order " + orderId + "; " + left + " of A-1 left");
    }
  }
}
