package dev.txguard.examples.library;

import dev.txguard.Database;
import dev.txguard.TxOptions;
import dev.txguard.queue.JobQueue;
import java.time.Duration;

/**
 * A lending library: lending a book takes a copy off the shelf, records the loan, enqueues its
 * receipt and mails the member, all or nothing. Tables: {@code book(id, title, copies)} and {@code
 * loan(id, book_id, member)}.
 */
public final class Library {
  static final TxOptions LEND = TxOptions.defaults().name("lend").timeout(Duration.ofSeconds(5));

  private final Database db;
  private final JobQueue queue;
  private final Mailer mailer;

  /**
   * A library over {@code db}, enqueueing receipts on {@code queue}, mailing with {@code mailer}.
   */
  public Library(Database db, JobQueue queue, Mailer mailer) {
    this.db = db;
    this.queue = queue;
    this.mailer = mailer;
  }

  /**
   * Lends a copy of {@code bookId} to {@code member}.
   *
   * @return the loan's id
   * @throws NoCopyLeftException if every copy is out
   */
  public long lend(long bookId, String member) {
    return db.inTx(
        LEND,
        tx -> {
          int copies =
              tx.queryOne(
                      "select copies from book where id = ? for update", rs -> rs.getInt(1), bookId)
                  .orElseThrow(() -> new IllegalArgumentException("no book " + bookId));
          if (copies == 0) {
            throw new NoCopyLeftException(bookId);
          }
          tx.updateExactly(1, "update book set copies = copies - 1 where id = ?", bookId);
          long loanId =
              tx.queryOne(
                      "insert into loan(book_id, member) values (?, ?) returning id",
                      rs -> rs.getLong(1),
                      bookId,
                      member)
                  .orElseThrow();
          queue.enqueue(tx, new LoanReceipt(loanId, member));
          tx.afterCommit(
              () -> mailer.send(member, "you borrowed book " + bookId + " (loan " + loanId + ")"));
          return loanId;
        });
  }
}
