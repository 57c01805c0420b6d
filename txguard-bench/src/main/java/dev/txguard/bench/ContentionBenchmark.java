package dev.txguard.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.annotations.Threads;

/**
 * Retry goodput: 16 threads move money between 10 hot accounts at SERIALIZABLE, so most attempts
 * collide. The primary score counts finished units (committed or given up); the {@code committed}
 * counter is the goodput that matters. After every trial the balances must still add up to what
 * the trial started with, or the trial fails.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class ContentionBenchmark {
  static final int THREADS = 16;

  /** Where forks append their balance checks for the runner; set by {@link Main}. */
  static final String CHECKS_PROPERTY = "txguard.bench.checks";

  @Param({"txguard", "jdbi", "immediate"})
  public String contender;

  private Transfers transfers;
  private final Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();

  /**
   * Per-thread counts, reported by JMH as rates. The trial totals are kept apart from the
   * per-iteration counters, which JMH expects to be reset at every iteration.
   */
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  @State(Scope.Thread)
  public static class Outcome {
    public long committed;
    public long retries;
    public long gaveUp;

    long totalUnits;
    long totalCommitted;
    long totalAttempts;
    long totalGaveUp;
    private long attemptsThisUnit;
    private final Runnable countAttempt = () -> attemptsThisUnit++;

    @Setup(Level.Trial)
    public void register(ContentionBenchmark bench) {
      bench.outcomes.add(this);
    }

    @Setup(Level.Iteration)
    public void reset() {
      committed = 0;
      retries = 0;
      gaveUp = 0;
    }

    void record(boolean didCommit) {
      long extra = Math.max(0, attemptsThisUnit - 1);
      retries += extra;
      totalAttempts += attemptsThisUnit;
      totalUnits++;
      attemptsThisUnit = 0;
      if (didCommit) {
        committed++;
        totalCommitted++;
      } else {
        gaveUp++;
        totalGaveUp++;
      }
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    Schema.recreate();
    transfers = Transfers.create(contender);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    long retriesByLibrary = transfers.retriesSeenByLibrary();
    transfers.close();
    long units = 0;
    long committed = 0;
    long attempts = 0;
    long gaveUp = 0;
    for (Outcome o : outcomes) {
      units += o.totalUnits;
      committed += o.totalCommitted;
      attempts += o.totalAttempts;
      gaveUp += o.totalGaveUp;
    }
    long[] totals = Schema.hotTotals();
    long expected = Schema.HOT_ACCOUNTS * Schema.HOT_INITIAL_BALANCE;
    boolean exact = totals[0] == expected && totals[1] == Schema.HOT_ACCOUNTS;
    String line = "contender=" + contender + " balanceSum=" + totals[0] + " expected=" + expected
        + " exact=" + exact + " units=" + units + " committed=" + committed + " gaveUp=" + gaveUp
        + " retries=" + (attempts - units) + " retriesSeenByLibrary=" + retriesByLibrary;
    System.out.println("\n[check] " + line);
    appendCheck(line);
    if (!exact) {
      throw new IllegalStateException("balances of " + contender + " do not add up: " + line);
    }
  }

  private static void appendCheck(String line) {
    String file = System.getProperty(CHECKS_PROPERTY);
    if (file == null) {
      return;
    }
    try {
      Files.writeString(Path.of(file), line + System.lineSeparator(), StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record the balance check in " + file, e);
    }
  }

  @Benchmark
  @Threads(THREADS)
  public boolean transfer(Outcome outcome) throws Exception {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int from = random.nextInt(1, Schema.HOT_ACCOUNTS + 1);
    int to = random.nextInt(1, Schema.HOT_ACCOUNTS);
    if (to >= from) {
      to++;
    }
    boolean committed = transfers.transfer(from, to, random.nextLong(1, 100), outcome.countAttempt);
    outcome.record(committed);
    return committed;
  }
}
