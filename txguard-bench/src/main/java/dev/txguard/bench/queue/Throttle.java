package dev.txguard.bench.queue;

import dev.txguard.Database;
import dev.txguard.queue.JobQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether enqueueing slows the users' own transactions: 8 producer threads each commit, as fast as
 * they can, one business row per transaction, or one business row plus one txguard job (enqueued in
 * the same unit). The two variants alternate in the same run; the queue is not started (its workers
 * would take CPU from the producers), so the only difference is the enqueue itself.
 */
final class Throttle {
  static final int PRODUCERS = 8;

  private final Server server;

  Throttle(Server server) {
    this.server = server;
  }

  static void install(Server server) throws Exception {
    server.execute(
        "create table if not exists bench_q_business (id bigint generated always as identity"
            + " primary key, producer int not null, amount int not null, created_at timestamptz not null default now())");
  }

  /** One stretch of {@code seconds}: business row alone, or with a job. */
  Measured run(int round, boolean withJob, int seconds) throws Exception {
    TxguardContender.FACTORY.clear(server);
    server.execute("truncate bench_q_business");
    try (TxguardContender c =
        (TxguardContender)
            TxguardContender.FACTORY.open(server, Contender.Work.NOOP, new Tally(1))) {
      Database db = c.db();
      JobQueue queue = c.queue();
      AtomicLong done = new AtomicLong();
      long deadline = System.nanoTime() + seconds * 1_000_000_000L;
      Server.Counters before = server.counters();
      long cpu = Phases.jvmCpuNanos();
      long start = System.nanoTime();
      List<Thread> threads = new ArrayList<>();
      for (int p = 0; p < PRODUCERS; p++) {
        int producer = p;
        threads.add(
            Thread.ofPlatform()
                .name("producer-" + p)
                .start(
                    () -> {
                      while (System.nanoTime() < deadline) {
                        db.inTx(
                            tx -> {
                              tx.update(
                                  "insert into bench_q_business (producer, amount) values (?, ?)",
                                  producer,
                                  1);
                              if (withJob) {
                                queue.enqueue(tx, new Contender.Item(producer, System.nanoTime()));
                              }
                              return null;
                            });
                        done.incrementAndGet();
                      }
                    }));
      }
      for (Thread t : threads) {
        t.join();
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      long jvmCpu = Phases.jvmCpuNanos() - cpu;
      long serverCpu = server.cpuNanos();
      c.close();
      Thread.sleep(300);
      Server.Counters delta = server.counters().withServerCpu(serverCpu).minus(before);
      long rows = server.count("select count(*) from bench_q_business");
      long jobs = server.count("select count(*) from " + TxguardContender.SCHEMA + ".job");
      String check =
          rows == done.get() && jobs == (withJob ? rows : 0)
              ? ""
              : "business rows " + rows + ", jobs " + jobs + ", transactions " + done.get();
      return Measured.of(
          withJob ? "throttle-with-job" : "throttle-row-alone",
          round,
          "txguard-queue",
          done.get(),
          elapsed,
          done.get() / elapsed,
          Double.NaN,
          jvmCpu,
          delta,
          Double.NaN,
          Double.NaN,
          check);
    }
  }
}
