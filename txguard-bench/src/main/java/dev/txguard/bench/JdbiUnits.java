package dev.txguard.bench;

import com.zaxxer.hikari.HikariDataSource;
import org.jdbi.v3.core.Jdbi;

/** Jdbi's callback transactions on a plain {@code Jdbi.create(dataSource)}. */
final class JdbiUnits implements Units {
  private final HikariDataSource ds = BenchSetup.poolForJdbi("jdbi");
  private final Jdbi jdbi = Jdbi.create(ds);

  @Override
  public long read(int id) {
    return jdbi.inTransaction(h -> h.createQuery(Schema.READ).bind(0, id).mapTo(Long.class).one());
  }

  @Override
  public void write(int from, int to, long amount) {
    jdbi.useTransaction(
        h -> {
          h.execute(Schema.DEBIT, amount, from);
          h.execute(Schema.CREDIT, amount, to);
          h.execute(Schema.LOG, from, to, amount);
        });
  }

  @Override
  public void close() {
    ds.close();
  }
}
