package dev.txguard.cli.internal;

import com.zaxxer.hikari.HikariDataSource;
import dev.txguard.Database;
import dev.txguard.StaleDataException;
import dev.txguard.TxOptions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Story 1: a "complete job" handler that updates the job, its build, resources, logs and
 * notifications. Naive: independent autocommit statements, so a failure half-way leaves the job
 * half-written, and two concurrent completions of one job both go through. With txguard: one unit
 * per completion whose first step is a guarded state transition (running to completed), so a
 * failure rolls everything back and the second of two racing completions is refused; the "build
 * succeeded" e-mail, a side effect, goes out after commit instead of at once.
 *
 * <p>The same step code runs in both variants; only how statements reach the database differs.
 */
final class CompleteJobStory implements Story {
  static final int SEQUENTIAL_JOBS = 30;
  static final int RACED_JOBS = 10;
  private static final double FAILURE_RATE = 0.3;
  private static final Duration RACE_WAIT = Duration.ofSeconds(15);
  private static final TxOptions UNIT =
      TxOptions.defaults().name("complete-job").timeout(Duration.ofSeconds(5));

  @Override
  public int number() {
    return 1;
  }

  @Override
  public String id() {
    return "complete-job";
  }

  @Override
  public String title() {
    return "The 600-line completion without a transaction";
  }

  @Override
  public String description() {
    return "Completes "
        + SEQUENTIAL_JOBS
        + " jobs (about "
        + Math.round(FAILURE_RATE * 100)
        + "% fail at a random step) and races two completions of each of "
        + RACED_JOBS
        + " more. Counts jobs left half-written and jobs completed twice.";
  }

  /** How one statement of the handler reaches the database. */
  @FunctionalInterface
  interface Statements {
    int update(String sql, Object... params) throws Exception;
  }

  /** A completion failed on purpose at step {@code step}, as an outside service might. */
  static final class InjectedFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InjectedFailure(int jobId, int step) {
      super(
          "notification service unavailable while completing job "
              + jobId
              + " (after step "
              + step
              + ")");
    }
  }

  @Override
  public Measurement run(Variant variant, StoryContext context) throws Exception {
    context.runScript("complete-job.sql");
    int[] failAfter = plan(context.random());
    AtomicInteger emails = new AtomicInteger();
    Completer completer =
        variant == Variant.NAIVE ? naive(context, emails) : txguard(context, emails);
    try (completer) {
      int failed = 0;
      for (int job = 1; job <= SEQUENTIAL_JOBS; job++) {
        try {
          completer.complete(job, failAfter[job]);
        } catch (InjectedFailure e) {
          failed++;
        }
      }
      int refused = race(completer);
      return measure(variant, context, failed, refused, emails.get());
    }
  }

  /** Which jobs fail, and after which step (0: no failure); the same for both variants. */
  private static int[] plan(Random random) {
    int[] failAfter = new int[SEQUENTIAL_JOBS + RACED_JOBS + 1];
    for (int job = 1; job <= SEQUENTIAL_JOBS; job++) {
      failAfter[job] = random.nextDouble() < FAILURE_RATE ? 1 + random.nextInt(4) : 0;
    }
    return failAfter;
  }

  /**
   * Completes each raced job from two threads at once; returns how many completions were refused.
   */
  private static int race(Completer completer) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      int refused = 0;
      for (int job = SEQUENTIAL_JOBS + 1; job <= SEQUENTIAL_JOBS + RACED_JOBS; job++) {
        int id = job;
        CyclicBarrier start = new CyclicBarrier(2);
        List<Future<Boolean>> both = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
          both.add(
              pool.submit(
                  () -> {
                    start.await(RACE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    try {
                      completer.complete(id, 0);
                      return true;
                    } catch (StaleDataException e) {
                      return false; // txguard's guarded transition: the other completion got there
                      // first
                    }
                  }));
        }
        for (Future<Boolean> f : both) {
          if (!f.get(RACE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            refused++;
          }
        }
      }
      return refused;
    } finally {
      pool.shutdownNow();
    }
  }

  private Measurement measure(
      Variant variant, StoryContext context, int failed, int refused, int emails)
      throws SQLException {
    int untouched = 0;
    int once = 0;
    int twice = 0;
    int half = 0;
    try (Connection c = context.connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                """
            select j.state, b.status,
              (select count(*) from cj_resource r where r.job_id = j.id),
              (select count(*) from cj_log l where l.job_id = j.id),
              (select count(*) from cj_notification n where n.job_id = j.id)
            from cj_job j join cj_build b on b.job_id = j.id""")) {
      while (rs.next()) {
        boolean completed = rs.getString(1).equals("completed");
        boolean built = rs.getString(2).equals("succeeded");
        long resources = rs.getLong(3);
        long logs = rs.getLong(4);
        long notifications = rs.getLong(5);
        if (!completed && !built && resources + logs + notifications == 0) {
          untouched++;
        } else if (resources > 3 || logs > 1 || notifications > 1) {
          twice++;
        } else if (completed && built && resources == 3 && logs == 1 && notifications == 1) {
          once++;
        } else {
          half++;
        }
      }
    }
    // every job completed exactly once deserves one e-mail; any other e-mail went out for nothing
    int spuriousEmails = Math.max(0, emails - once);
    boolean fault = half > 0 || twice > 0 || spuriousEmails > 0;
    String brief = half + " half-written, " + twice + " done twice";
    String detail =
        variant == Variant.NAIVE
            ? failed
                + " of "
                + SEQUENTIAL_JOBS
                + " completions failed half-way and left "
                + Plural.of(half, "job")
                + " half-written; "
                + twice
                + " of "
                + RACED_JOBS
                + " raced jobs were completed twice; "
                + Plural.of(spuriousEmails, "\"build succeeded\" e-mail")
                + " too many (for failed or repeated completions)"
            : Plural.of(failed, "failed completion")
                + " rolled back whole ("
                + Plural.of(untouched, "job")
                + " still cleanly running), "
                + Plural.of(refused, "racing completion")
                + " refused by the guarded transition; "
                + Plural.of(once, "job")
                + " completed exactly once, "
                + half
                + " half-written, "
                + twice
                + " completed twice; e-mails"
                + " sent after commit: "
                + emails
                + " ("
                + spuriousEmails
                + " for nothing)";
    return Measurement.collect()
        .put("jobs", SEQUENTIAL_JOBS + RACED_JOBS)
        .put("failuresInjected", failed)
        .put("halfWritten", half)
        .put("completedTwice", twice)
        .put("completedOnce", once)
        .put("untouched", untouched)
        .put("completionsRefused", refused)
        .put("emailsSent", emails)
        .put("emailsForNothing", spuriousEmails)
        .measured(fault, brief, detail);
  }

  /** Completes one job; {@code failAfterStep} > 0 makes it fail after that step. */
  interface Completer extends AutoCloseable {
    void complete(int jobId, int failAfterStep) throws Exception;

    @Override
    void close();
  }

  /**
   * The handler's steps after the state change, shared by both variants. The build-succeeded e-mail
   * is a side effect outside the database: {@code sendEmail} decides when it really goes out.
   */
  static void remainingSteps(Statements sql, int jobId, int failAfterStep, Runnable sendEmail)
      throws Exception {
    failIf(failAfterStep == 1, jobId, 1);
    sql.update("update cj_build set status = 'succeeded' where job_id = ?", jobId);
    sendEmail.run();
    failIf(failAfterStep == 2, jobId, 2);
    for (String resource : List.of("workspace_agent", "volume", "dns_record")) {
      sql.update("insert into cj_resource (job_id, name) values (?, ?)", jobId, resource);
    }
    failIf(failAfterStep == 3, jobId, 3);
    sql.update("insert into cj_log (job_id, line) values (?, 'build completed')", jobId);
    failIf(failAfterStep == 4, jobId, 4);
    sql.update(
        "insert into cj_notification (job_id, message) values (?, 'your workspace is ready')",
        jobId);
  }

  private static void failIf(boolean fail, int jobId, int step) {
    if (fail) {
      throw new InjectedFailure(jobId, step);
    }
  }

  /**
   * Naive: every statement on its own, autocommit, as the original handler did; the e-mail goes at
   * once.
   */
  private static Completer naive(StoryContext context, AtomicInteger emails) {
    HikariDataSource ds = context.plainPool("complete-job", 4, Duration.ofSeconds(5), true);
    return new Completer() {
      @Override
      public void complete(int jobId, int failAfterStep) throws Exception {
        try (Connection c = ds.getConnection()) {
          Jdbc.update(
              c, "update cj_job set state = 'completed', completed_at = now() where id = ?", jobId);
          remainingSteps(
              (sql, params) -> Jdbc.update(c, sql, params),
              jobId,
              failAfterStep,
              emails::incrementAndGet);
        }
      }

      @Override
      public void close() {
        ds.close();
      }
    };
  }

  /**
   * The txguard completion of one job: one unit, starting with the guarded transition; the e-mail
   * ({@code sendEmail}) is registered to run after commit. Retry-safe, as txguard-test's
   * retry-safety check proves (CompleteJobRetrySafetyIT).
   */
  static void completeInUnit(Database db, int jobId, int failAfterStep, Runnable sendEmail)
      throws Exception {
    db.useTx(
        UNIT,
        tx -> {
          tx.updateExactly(
              1,
              "update cj_job set state = 'completed', completed_at = now() where id = ? and state = 'running'",
              jobId);
          remainingSteps(tx::update, jobId, failAfterStep, () -> tx.afterCommit(sendEmail));
        });
  }

  /**
   * txguard: one unit per completion, starting with the guarded transition (running to completed,
   * exactly one row, or {@link StaleDataException}); the e-mail goes only after commit.
   */
  private static Completer txguard(StoryContext context, AtomicInteger emails) {
    Database db = context.database().poolSize(4).build();
    return new Completer() {
      @Override
      public void complete(int jobId, int failAfterStep) throws Exception {
        completeInUnit(db, jobId, failAfterStep, emails::incrementAndGet);
      }

      @Override
      public void close() {
        db.close();
      }
    };
  }
}
