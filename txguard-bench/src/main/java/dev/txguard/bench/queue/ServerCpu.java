package dev.txguard.bench.queue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
