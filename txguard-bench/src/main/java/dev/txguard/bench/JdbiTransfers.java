package dev.txguard.bench;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.transaction.SerializableTransactionRunner;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/** Jdbi's own answer to serialization failures: SerializableTransactionRunner. */
final class JdbiTransfers implements Transfers {
  private final HikariDataSource ds = BenchSetup.poolForJdbi("jdbi-serializable");
  private final Jdbi jdbi = Jdbi.create(ds);

  JdbiTransfers() {
    jdbi.setTransactionHandler(new SerializableTransactionRunner());
    jdbi.getConfig(SerializableTransactionRunner.Configuration.class)
        .setMaxRetries(MAX_ATTEMPTS - 1);
  }

  @Override
  public boolean transfer(int from, int to, long amount, Runnable attempts) {
    try {
      jdbi.useTransaction(
          TransactionIsolationLevel.SERIALIZABLE,
          h -> {
            attempts.run();
            long balance = h.createQuery(Schema.HOT_READ).bind(0, from).mapTo(Long.class).one();
            if (balance < amount) {
              return;
            }
            h.execute(Schema.HOT_ADD, from < to ? -amount : amount, Math.min(from, to));
            h.execute(Schema.HOT_ADD, from < to ? amount : -amount, Math.max(from, to));
          });
      return true;
    } catch (JdbiException e) {
      if (serializationFailure(e)) {
        return false; // the runner gave up after its retries
      }
      throw e;
    }
  }

  private static boolean serializationFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && "40001".equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    ds.close();
  }
}
