package dev.txguard.examples.library;

/**
 * The job that prints a loan's receipt, enqueued in the same unit as the loan.
 *
 * @param loanId the loan
 * @param member who borrowed
 */
public record LoanReceipt(long loanId, String member) {
  /** The job's kind. */
  public static final String KIND = "loan-receipt";
}
