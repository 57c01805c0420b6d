package dev.txguard.queue;

/**
 * A job as {@link QueueAdmin#detail(long, int)} reads it for a viewer: its arguments, result and
 * each error's message and trace cut to {@code limit} characters by the database (so a job with
 * megabytes of arguments costs the viewer {@code limit} characters), and only its newest {@link
 * #ERRORS_SHOWN} errors, with the full lengths and the number of errors. Lengths are in characters
 * of the JSON text ({@code length(x::text)} in PostgreSQL).
 *
 * @param job the job, its {@link Job#argsJson()}, {@link Job#resultJson()} and each {@link
 *     JobError#error()} and {@link JobError#trace()} at most {@code limit} characters (a cut JSON
 *     text is no longer valid JSON); its {@link Job#errors()} the newest {@link #ERRORS_SHOWN},
 *     oldest first
 * @param limit the most characters of each text kept
 * @param argsLength the full length of the arguments' JSON text
 * @param resultLength the full length of the result's JSON text, 0 without one
 * @param longestErrorLength the longest error message or trace of those returned, 0 without errors
 * @param errorCount how many errors the job has recorded, returned or not
 */
public record JobDetail(
    Job job,
    int limit,
    long argsLength,
    long resultLength,
    long longestErrorLength,
    int errorCount) {
  /**
   * How many of a job's newest errors a detail holds: the default number of attempts, so a job that
   * used them all shows every one.
   */
  public static final int ERRORS_SHOWN = 20;

  /** {@return how many older errors were left out} */
  public int errorsLeftOut() {
    return errorCount - job.errors().size();
  }

  /** {@return whether the arguments were cut} */
  public boolean argsCut() {
    return argsLength > limit;
  }

  /** {@return whether the result was cut} */
  public boolean resultCut() {
    return resultLength > limit;
  }

  /** {@return whether any error message or trace was cut} */
  public boolean errorsCut() {
    return longestErrorLength > limit;
  }
}
