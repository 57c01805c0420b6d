package dev.txguard.bench;

import com.zaxxer.hikari.HikariDataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

/**
 * jOOQ's transactionResult with plain SQL, so it runs the very statements the others run. Execute
 * logging is off, as jOOQ advises for production: the comparison should not charge jOOQ for a
 * debugging aid.
 */
final class JooqUnits implements Units {
  private final HikariDataSource ds = BenchSetup.pool("jooq");
  private final DSLContext jooq =
      DSL.using(ds, SQLDialect.POSTGRES, new Settings().withExecuteLogging(false));

  @Override
  public long read(int id) {
    Long balance =
        jooq.transactionResult(
            cfg -> cfg.dsl().resultQuery(Schema.READ, id).fetchOne(0, Long.class));
    if (balance == null) {
      throw new IllegalStateException("no account " + id);
    }
    return balance;
  }

  @Override
  public void write(int from, int to, long amount) {
    jooq.transactionResult(
        cfg -> {
          DSLContext tx = cfg.dsl();
          return tx.execute(Schema.DEBIT, amount, from)
              + tx.execute(Schema.CREDIT, amount, to)
              + tx.execute(Schema.LOG, from, to, amount);
        });
  }

  @Override
  public void close() {
    ds.close();
  }
}
