package dev.txguard.bench.queue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of a PostgreSQL server on this machine, from {@code /proc/<pid>/stat} (Linux): the
 * postmaster's own time, the time of every live child (backends, WAL writer, checkpointer,
 * autovacuum), and the time of the children that already exited, which the kernel adds to the
 * postmaster's {@code cutime}/{@code cstime} when it reaps them. So a backend that ends between two
 * readings is still counted. Returns -1 where {@code /proc} cannot show the server (another host,
 * another OS).
 */
final class ServerCpu {
  /**
   * USER_HZ: the unit of the times in {@code /proc/<pid>/stat}; 100 on every Linux platform we run
   * on.
   */
  private static final long NANOS_PER_TICK = 10_000_000L;

  private ServerCpu() {}

  /** The postmaster of a backend: its parent process, or -1 if {@code /proc} does not show it. */
  static int postmasterOf(int backendPid) {
    String[] stat = stat(backendPid);
    return stat == null ? -1 : Integer.parseInt(stat[1]);
  }

  /**
   * Nanoseconds of CPU used so far by the postmaster, its live children and its reaped children.
   */
  static long treeCpuNanos(int postmasterPid) {
    String[] own = stat(postmasterPid);
    if (own == null) {
      return -1;
    }
    // fields after the command: [0]=state [1]=ppid ... [11]=utime [12]=stime [13]=cutime
    // [14]=cstime
    long ticks =
        Long.parseLong(own[11])
            + Long.parseLong(own[12])
            + Long.parseLong(own[13])
            + Long.parseLong(own[14]);
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      ticks +=
          procs
              .filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
              .mapToLong(
                  p -> childTicks(Integer.parseInt(p.getFileName().toString()), postmasterPid))
              .sum();
    } catch (IOException e) {
      return -1;
    }
    return ticks * NANOS_PER_TICK;
  }

  private static long childTicks(int pid, int parent) {
    String[] stat = stat(pid);
    if (stat == null || Integer.parseInt(stat[1]) != parent) {
      return 0;
    }
    return Long.parseLong(stat[11]) + Long.parseLong(stat[12]);
  }

  /**
   * Nanoseconds of CPU used so far by each live child of the postmaster whose process title says it
   * is an autovacuum worker ({@code postgres: autovacuum worker ...}), by pid; empty where {@code
   * /proc} cannot show the server.
   */
  static Map<Integer, Long> autovacuumWorkerNanos(int postmasterPid) {
    Map<Integer, Long> workers = new HashMap<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      procs
          .map(p -> p.getFileName().toString())
          .filter(name -> name.chars().allMatch(Character::isDigit))
          .mapToInt(Integer::parseInt)
          .forEach(
              pid -> {
                long ticks = childTicks(pid, postmasterPid);
                if (ticks > 0 && title(pid).contains("autovacuum worker")) {
                  workers.put(pid, ticks * NANOS_PER_TICK);
                }
              });
    } catch (IOException e) {
      return Map.of();
    }
    return workers;
  }

  /** A process's title (its command line, as PostgreSQL rewrites it), or empty. */
  private static String title(int pid) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "cmdline")))
          .replace('\0', ' ');
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /**
   * Sums the CPU of autovacuum workers while it runs, reading them every half second: a worker that
   * exits between two readings loses at most its last half second. Workers that exist when it
   * starts count from then, later ones from their start.
   */
  static final class AutovacuumSampler implements AutoCloseable {
    private final int postmasterPid;
    private final Map<Integer, Long> last;
    private final Thread thread;
    private long total;

    AutovacuumSampler(int postmasterPid) {
      this.postmasterPid = postmasterPid;
      this.last = postmasterPid > 0 ? autovacuumWorkerNanos(postmasterPid) : new HashMap<>();
      this.thread =
          Thread.ofPlatform().daemon().name("autovacuum-cpu-sampler").start(this::sampleEvery);
    }

    private void sampleEvery() {
      while (postmasterPid > 0 && !Thread.currentThread().isInterrupted()) {
        sample();
        try {
          Thread.sleep(500);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    private synchronized void sample() {
      for (Map.Entry<Integer, Long> w : autovacuumWorkerNanos(postmasterPid).entrySet()) {
        Long before = last.put(w.getKey(), w.getValue());
        // a pid first seen, or reused by a new worker, counts from its start
        total += w.getValue() - (before == null || before > w.getValue() ? 0 : before);
      }
    }

    /** Nanoseconds of autovacuum CPU since this sampler started, or -1 without {@code /proc}. */
    synchronized long nanos() {
      if (postmasterPid <= 0) {
        return -1;
      }
      sample();
      return total;
    }

    @Override
    public void close() {
      thread.interrupt();
    }
  }

  /** The fields after "pid (comm) ", or null if the process is gone or unreadable. */
  private static String[] stat(int pid) {
    try {
      String line = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
      return line.substring(line.lastIndexOf(')') + 2).trim().split(" ");
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
