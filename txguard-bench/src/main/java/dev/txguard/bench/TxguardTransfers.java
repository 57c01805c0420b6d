package dev.txguard.bench;

import dev.txguard.Database;
import dev.txguard.Isolation;
import dev.txguard.RetriesExhaustedException;
import dev.txguard.TxListener;
import dev.txguard.TxOptions;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * txguard with its default backoff; only isolation and the attempt budget are set. A shorter
 * backoff can be chosen for experiments, never for the published comparison.
 */
final class TxguardTransfers implements Transfers {
  static final TxOptions DEFAULT_BACKOFF =
      TxOptions.defaults()
          .name("transfer")
          .isolation(Isolation.SERIALIZABLE)
          .maxAttempts(MAX_ATTEMPTS);
  static final TxOptions SHORT_BACKOFF =
      DEFAULT_BACKOFF.backoff(Duration.ofMillis(1), Duration.ofMillis(100));

  private final TxOptions transfer;

  private final LongAdder retries = new LongAdder();
  private final Database db =
      BenchSetup.txguard(
          new TxListener() {
            @Override
            public void onRetry(String name, int nextAttempt, Throwable cause, Duration delay) {
              retries.increment();
            }
          });

  TxguardTransfers(TxOptions transfer) {
    this.transfer = transfer;
  }

  @Override
  public boolean transfer(int from, int to, long amount, Runnable attempts) {
    try {
      db.useTx(
          transfer,
          tx -> {
            attempts.run();
            long balance = tx.queryOne(Schema.HOT_READ, rs -> rs.getLong(1), from).orElseThrow();
            if (balance < amount) {
              return;
            }
            // lower id first, as in every contender: no deadlocks, only serialization failures
            tx.update(Schema.HOT_ADD, from < to ? -amount : amount, Math.min(from, to));
            tx.update(Schema.HOT_ADD, from < to ? amount : -amount, Math.max(from, to));
          });
      return true;
    } catch (RetriesExhaustedException e) {
      return false;
    }
  }

  @Override
  public long retriesSeenByLibrary() {
    return retries.sum();
  }

  @Override
  public void close() {
    db.close();
  }
}
