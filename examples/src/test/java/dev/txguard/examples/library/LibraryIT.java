package dev.txguard.examples.library;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.Database;
import dev.txguard.queue.JobQueue;
import dev.txguard.test.Fault;
import dev.txguard.test.FaultInjector;
import dev.txguard.test.FaultScope;
import dev.txguard.test.Injected;
import dev.txguard.test.JobAssertions;
import dev.txguard.test.RetrySafety;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import dev.txguard.test.UnitLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The library's tests, written the way a txguard user writes them (this is the module README's
 * example).
 */
@TxguardTest
class LibraryIT {
  @Injected static TestDatabase tdb; // this class's own PostgreSQL database
  @Injected static Database db; // a txguard Database over it, with fault injection
  @Injected FaultInjector faults;
  @Injected UnitLog units;

  static JobQueue queue;
  final List<String> mails = new ArrayList<>();
  Library library;

  @BeforeAll
  static void schema() throws Exception {
    tdb.execute(
        "create table book (id bigint primary key, title text not null, copies int not null)",
        "create table loan (id bigserial primary key, book_id bigint not null references book, member text not null)");
    // the extension migrated the queue's schema; this process only enqueues receipts
    queue = JobQueue.builder(db).declare(LoanReceipt.KIND, LoanReceipt.class).build();
  }

  @AfterAll
  static void stopQueue() {
    queue.close();
  }

  @BeforeEach
  void shelf() throws Exception {
    resetShelf();
    library = new Library(db, queue, (member, text) -> mails.add(member + ": " + text));
  }

  private void resetShelf() throws Exception {
    tdb.execute(
        "truncate loan, book, txguard_queue.job restart identity",
        "insert into book values (1, 'Middlemarch', 2), (2, 'Ulysses', 0)");
    mails.clear();
  }

  @Test
  void lendingABookRecordsTheLoanEnqueuesItsReceiptAndMailsAfterCommit() throws Exception {
    long loan = library.lend(1, "ada");

    assertThat(tdb.queryLong("select copies from book where id = 1")).isEqualTo(1);
    JobAssertions.assertEnqueued(tdb, LoanReceipt.KIND, new LoanReceipt(loan, "ada"), "default");
    assertThat(mails).containsExactly("ada: you borrowed book 1 (loan " + loan + ")");
    units
        .assertCommitted("lend")
        .assertRetried("lend", 0)
        .assertNoUnitLongerThan(Duration.ofSeconds(5));
  }

  @Test
  void aBookWithNoCopyLeftIsRefusedAndNothingHappens() throws Exception {
    assertThatThrownBy(() -> library.lend(2, "ada")).isInstanceOf(NoCopyLeftException.class);

    units.assertRolledBack("lend").assertRetried("lend", 0);
    JobAssertions.assertNoJob(tdb, LoanReceipt.KIND);
    assertThat(mails).isEmpty();
  }

  @Test
  void aSerializationFailureIsRetriedAndTheMemberIsMailedOnce() throws Exception {
    try (FaultScope scope =
        faults.inject(Fault.serializationFailure().atStatement(3).inUnit("lend"))) {
      library.lend(1, "ada");
      assertThat(scope.fired()).isEqualTo(1);
    }
    units.assertCommitted("lend").assertRetried("lend", 1);
    assertThat(tdb.queryLong("select count(*) from loan")).isEqualTo(1);
    assertThat(mails).hasSize(1);
  }

  @Test
  void lendingIsSafeToRetryAtEveryStatement() throws Exception {
    RetrySafety.of(tdb)
        .setup(this::resetShelf)
        .tables("book", "loan")
        .snapshot("select kind, args::text from txguard_queue.job order by id")
        .probe("mails", () -> List.copyOf(mails))
        .concurrentWrite(
            "update book set copies = copies + 1 where id = 1") // a copy comes back meanwhile
        .verify(() -> library.lend(1, "ada"));
  }
}
