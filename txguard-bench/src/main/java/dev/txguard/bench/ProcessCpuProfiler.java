package dev.txguard.bench;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * The benchmark JVM's CPU time per operation ({@code cpu.ns/op}): all its threads, JIT and GC
 * included, divided by the operations of the iteration.
 *
 * <p>Why: on a two-core machine the database and, here, other people's builds share the cores with
 * the benchmark, so throughput swings by tens of percent between iterations, far more than a
 * transaction wrapper can cost. The CPU a JVM burns per unit hardly moves with foreign load, and a
 * wrapper's cost is exactly CPU in that JVM: the difference to the hand-written baseline is the
 * wrapper's overhead, measured where the noise cannot reach it.
 */
public final class ProcessCpuProfiler implements InternalProfiler {
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private long startCpu;

  @Override
  public String getDescription() {
    return "CPU time of the benchmark JVM per operation";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    startCpu = os.getProcessCpuTime();
  }

  @Override
  @SuppressWarnings("rawtypes") // the interface declares the raw Result type
  public Collection<? extends Result> afterIteration(
      BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
    long cpu = os.getProcessCpuTime() - startCpu;
    // all ops, not only those in JMH's synchronised window: the CPU window spans them all
    long ops = result.getMetadata() == null ? 0 : result.getMetadata().getAllOps();
    double perOp = ops == 0 ? Double.NaN : (double) cpu / ops;
    return List.of(new ScalarResult("cpu.ns/op", perOp, "ns/op", AggregationPolicy.AVG));
  }
}
