package dev.txguard.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.test.MariaDbExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Story 4's MariaDB form, checked in the database: the naive transfer that caught its deadlock
 * committed its second half alone (the credit, not the debit InnoDB had rolled back); with txguard
 * every transfer is whole.
 */
class CaughtDeadlockStoryIT {
  @RegisterExtension static final MariaDbExtension maria = new MariaDbExtension();

  private final CaughtDeadlockStory story = new CaughtDeadlockStory();

  private StoryContext context() {
    return new StoryContext(new ConnectionInfo(maria.url(), maria.user(), maria.password()), 7);
  }

  @Test
  void theNaiveTransferThatCaughtItsDeadlockCommitsOnlyItsSecondHalf() throws Exception {
    Measurement m = story.run(Variant.NAIVE, context());

    long deadlocks = m.counts().get("deadlocksCaught");
    assertThat(deadlocks).as(m.detail()).isPositive();
    assertThat(m.faultShown()).isTrue();
    // every transfer committed its credit, but the deadlock's victims lost their debit
    assertThat(maria.queryLong("select count(*) from cd_entry where side = 'credit'"))
        .isEqualTo(CaughtDeadlockStory.TRANSFERS);
    assertThat(maria.queryLong("select count(*) from cd_entry where side = 'debit'"))
        .isEqualTo(CaughtDeadlockStory.TRANSFERS - deadlocks);
    // a credited-only transfer t: its source 2t+1 still holds 100, its target 2t+2 got 110
    assertThat(
            maria.queryLong(
                "select count(*) from cd_entry e join cd_account src on src.id = e.account_id - 1"
                    + " join cd_account dst on dst.id = e.account_id where e.side = 'credit' and src.balance = 100"
                    + " and dst.balance = 110 and not exists (select 1 from cd_entry d where d.transfer_id = e.transfer_id"
                    + " and d.side = 'debit')"))
        .isEqualTo(deadlocks);
    assertThat(maria.queryLong("select sum(balance) from cd_account"))
        .isEqualTo(CaughtDeadlockStory.TOTAL + deadlocks * CaughtDeadlockStory.AMOUNT);
  }

  @Test
  void withTxguardTheCaughtDeadlockAbortsTheUnitWhichIsRetriedWhole() throws Exception {
    Measurement m = story.run(Variant.TXGUARD, context());

    assertThat(m.faultShown()).as(m.detail()).isFalse();
    assertThat(m.counts().get("deadlocksCaught")).isPositive();
    assertThat(m.counts().get("retries")).isEqualTo(m.counts().get("deadlocksCaught"));
    assertThat(maria.queryLong("select count(*) from cd_entry where side = 'debit'"))
        .isEqualTo(CaughtDeadlockStory.TRANSFERS);
    assertThat(maria.queryLong("select count(*) from cd_entry where side = 'credit'"))
        .isEqualTo(CaughtDeadlockStory.TRANSFERS);
    assertThat(maria.queryLong("select sum(balance) from cd_account"))
        .isEqualTo(CaughtDeadlockStory.TOTAL);
  }
}
