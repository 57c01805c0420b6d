package dev.txguard.bench;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What a transaction wrapper costs: the same read and write units through hand-written JDBC,
 * txguard, Spring, Jdbi and jOOQ. The thread count comes from the runner ({@link Main}), so one
 * class serves both the 1-thread and the 8-thread rows.
 *
 * <p>Throughput, not latency, is measured: with several threads it is the aggregate the server
 * sees, and the ratio of two throughputs reads directly as overhead.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class OverheadBenchmark {
  /** Every contender; the runner ({@link Main}) sets the order per round. */
  @Param({
    "jdbc",
    "txguard",
    "spring",
    "jdbi",
    "jooq",
    "txguard-set-local",
    "txguard-set-session",
    "txguard-unresolved",
    "txguard-read-only"
  })
  public String contender;

  private Units units;

  @Setup(Level.Trial)
  public void setUp() {
    Schema.recreate();
    units = Units.create(contender);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    units.close();
  }

  @Benchmark
  public long read() throws Exception {
    return units.read(ThreadLocalRandom.current().nextInt(1, Schema.ACCOUNTS + 1));
  }

  @Benchmark
  public void write() throws Exception {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int a = random.nextInt(1, Schema.ACCOUNTS + 1);
    int b = random.nextInt(1, Schema.ACCOUNTS);
    if (b >= a) {
      b++; // uniform over the other accounts, never a self-transfer
    }
    units.write(Math.min(a, b), Math.max(a, b), random.nextLong(1, 100));
  }
}
