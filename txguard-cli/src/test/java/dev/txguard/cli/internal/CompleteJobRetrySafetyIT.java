package dev.txguard.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.RetrySafety;
import dev.txguard.test.RetrySafetyReport;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Story 1 under txguard-test's retry-safety check: the demo's txguard completion (e-mail after
 * commit) survives a retryable failure at every statement and at COMMIT; the same completion with
 * the e-mail sent inside the unit is caught at the first statement after the e-mail.
 */
@TxguardTest
class CompleteJobRetrySafetyIT {
  static final int JOB = 7;

  @Injected static TestDatabase tdb;
  @Injected Database db;
  final AtomicInteger emails = new AtomicInteger();

  private RetrySafety check() {
    return RetrySafety.of(tdb)
        .setup(
            () -> {
              StoryContextScripts.run(tdb, "complete-job.sql");
              emails.set(0);
            })
        .snapshot(
            "select j.id, j.state, b.status from cj_job j join cj_build b on b.job_id = j.id order by j.id")
        .snapshot("select job_id, name from cj_resource order by id")
        .snapshot("select job_id, line from cj_log order by id")
        .snapshot("select job_id, message from cj_notification order by id")
        .probe("e-mails sent", emails::get);
  }

  @Test
  void theTxguardCompletionIsRetrySafe() throws Exception {
    RetrySafetyReport report =
        check()
            .verify(
                () -> {
                  CompleteJobStory.completeInUnit(db, JOB, 0, emails::incrementAndGet);
                  return null;
                });
    // the guarded transition, the build, three resources, the log, the notification, and COMMIT
    assertThat(report.pointsTried()).isEqualTo(8);
  }

  @Test
  void theCompletionThatSendsItsEmailInsideTheUnitIsCaught() throws Exception {
    RetrySafetyReport report =
        check()
            .run(
                () -> {
                  db.useTx(
                      tx -> {
                        tx.updateExactly(
                            1,
                            "update cj_job set state = 'completed', completed_at = now() where id = ? and state = 'running'",
                            JOB);
                        CompleteJobStory.remainingSteps(
                            tx::update, JOB, 0, emails::incrementAndGet); // e-mail inside the unit
                      });
                  return null;
                });
    assertThat(report.safe()).isFalse();
    RetrySafetyReport.Finding first = report.findings().getFirst();
    assertThat(first.position()).isEqualTo(3);
    assertThat(first.sql()).isEqualTo("insert into cj_resource (job_id, name) values (?, ?)");
    assertThat(first.differences())
        .anySatisfy(
            d -> assertThat(d).isEqualTo("probe 'e-mails sent': clean run 1, with the failure 2"));
  }
}
