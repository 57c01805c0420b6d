package dev.txguard.bench.queue;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.util.List;
import org.jobrunr.configuration.JobRunr;
import org.jobrunr.scheduling.JobScheduler;
import org.jobrunr.server.BackgroundJobServer;
import org.jobrunr.server.BackgroundJobServerConfiguration;
import org.jobrunr.storage.sql.postgres.PostgresStorageProvider;
import org.jobrunr.utils.mapper.jackson.JacksonJsonMapper;

/**
 * JobRunr 8.7.0 (open source) configured for throughput as its documentation allows: a background
 * job server with 16 workers ({@code andWorkerCount}) and the smallest poll interval it accepts (5
 * s; "The smallest supported pollInterval is 5 seconds", its own check; the default is 15 s), the
 * PostgreSQL storage provider on a HikariCP pool of 16 that creates its own tables, Jackson for
 * JSON, jobs enqueued from a stream for batches ({@code enqueue(Stream, lambda)}) and as a lambda
 * for one.
 */
final class JobRunrContender implements Contender {
  static final Factory FACTORY =
      new Factory() {
        @Override
        public String name() {
          return "JobRunr";
        }

        @Override
        public String configuration() {
          return "8.7.0; BackgroundJobServerConfiguration andWorkerCount(16), andPollInterval(5 s) (the smallest"
              + " JobRunr accepts; default 15 s), PostgresStorageProvider on HikariCP 16, JacksonJsonMapper;"
              + " enqueue(Stream, lambda) for batches, enqueue(lambda) one per call";
        }

        @Override
        public void install(Server server) throws Exception {
          try (HikariDataSource pool = Pools.hikari(server, "jobrunr-install", true)) {
            new PostgresStorageProvider(pool).close(); // runs JobRunr's own migrations
          }
        }

        @Override
        public void clear(Server server) throws Exception {
          server.execute("truncate jobrunr_jobs");
        }

        @Override
        public List<String> tables() {
          return List.of("jobrunr_jobs");
        }

        @Override
        public long unfinished(Server server) throws Exception {
          return server.count("select count(*) from jobrunr_jobs where state <> 'SUCCEEDED'");
        }

        @Override
        public Contender open(Server server, Work work, Tally tally) {
          return new JobRunrContender(server, work, tally);
        }
      };

  private boolean closed;
  private final HikariDataSource pool;
  private final JobScheduler scheduler;
  private final BackgroundJobServer server;
  private final boolean writeRow;

  private JobRunrContender(Server db, Work work, Tally tally) {
    pool = Pools.hikari(db, "jobrunr", true);
    writeRow = work == Work.WRITE_ROW;
    JobRunrWork.use(tally, pool);
    var result =
        JobRunr.configure()
            .useJsonMapper(new JacksonJsonMapper())
            .useStorageProvider(new PostgresStorageProvider(pool))
            .useBackgroundJobServer(
                BackgroundJobServerConfiguration.usingStandardBackgroundJobServerConfiguration()
                    .andWorkerCount(16)
                    .andPollInterval(Duration.ofSeconds(5)),
                false)
            .initialize();
    scheduler = result.getJobScheduler();
    server = result.getBackgroundJobServer();
  }

  @Override
  public void enqueueBatch(List<Item> items) {
    if (writeRow) {
      scheduler.enqueue(items.stream(), item -> JobRunrWork.row(item.id(), item.enqueuedNanos()));
    } else {
      scheduler.enqueue(items.stream(), item -> JobRunrWork.noop(item.id(), item.enqueuedNanos()));
    }
  }

  @Override
  public void enqueueOne(Item item) {
    int id = item.id();
    long nanos = item.enqueuedNanos();
    if (writeRow) {
      scheduler.enqueue(() -> JobRunrWork.row(id, nanos));
    } else {
      scheduler.enqueue(() -> JobRunrWork.noop(id, nanos));
    }
  }

  @Override
  public void start() {
    server.start();
  }

  @Override
  public void stop() {
    if (server.isRunning()) {
      server.stop();
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    stop();
    JobRunr.destroy();
    pool.close();
  }
}
