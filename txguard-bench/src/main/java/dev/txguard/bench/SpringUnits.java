package dev.txguard.bench;

import com.zaxxer.hikari.HikariDataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** Spring's programmatic transactions, the way its reference documentation shows them. */
final class SpringUnits implements Units {
  private final HikariDataSource ds = BenchSetup.pool("spring");
  private final JdbcTemplate jdbc = new JdbcTemplate(ds);
  private final TransactionTemplate transactions =
      new TransactionTemplate(new DataSourceTransactionManager(ds));

  @Override
  public long read(int id) {
    Long balance = transactions.execute(status -> jdbc.queryForObject(Schema.READ, Long.class, id));
    if (balance == null) {
      throw new IllegalStateException("no account " + id);
    }
    return balance;
  }

  @Override
  public void write(int from, int to, long amount) {
    transactions.executeWithoutResult(
        status -> {
          jdbc.update(Schema.DEBIT, amount, from);
          jdbc.update(Schema.CREDIT, amount, to);
          jdbc.update(Schema.LOG, from, to, amount);
        });
  }

  @Override
  public void close() {
    ds.close();
  }
}
