package dev.txguard.bench;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What a unit costs on the JVM alone: the read and write units of {@link OverheadBenchmark},
 * through the same contenders, on {@link StubJdbc} connections that answer without a server.
 * Average time per unit in nanoseconds; run it with JMH's {@code gc} profiler for bytes per unit
 * ({@code gc.alloc.rate.norm}). {@link UnitCost} runs it and prints the table.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "-D" + BenchSetup.STUB_PROPERTY + "=true",
      "-Xms1g",
      "-Xmx1g",
      "-Dorg.jooq.no-logo=true",
      "-Dorg.jooq.no-tips=true"
    }) // UnitCost repeats these: its options replace them
public class UnitCostBenchmark {
  @Param({"jdbc", "txguard", "spring", "jdbi", "jooq"})
  public String contender;

  private Units units;

  @Setup(Level.Trial)
  public void setUp() {
    BenchSetup.requireStub();
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
    int a = random.nextInt(1, Schema.ACCOUNTS);
    units.write(a, a + 1, random.nextLong(1, 100));
  }
}
