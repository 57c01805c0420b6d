package dev.txguard.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every queue event as a line, for assertions. */
final class RecordingListener implements QueueListener {
  final List<String> events = new CopyOnWriteArrayList<>();

  @Override
  public void onFetched(JobEvent job) {
    events.add("fetched " + job.id() + "#" + job.attempt());
  }

  @Override
  public void onCompleted(JobEvent job, Duration elapsed) {
    events.add("completed " + job.id() + "#" + job.attempt());
  }

  @Override
  public void onRetried(JobEvent job, Throwable error, Instant nextRunAt) {
    events.add("retried " + job.id() + "#" + job.attempt());
  }

  @Override
  public void onFailed(JobEvent job, Throwable error, JobState state) {
    events.add("failed " + job.id() + "#" + job.attempt() + " " + state);
  }

  @Override
  public void onLeaseLost(JobEvent job, LeaseLostException error) {
    events.add("lease lost " + job.id() + "#" + job.attempt());
  }

  @Override
  public void onRescued(JobEvent job, JobState state) {
    events.add("rescued " + job.id() + "#" + job.attempt() + " " + state);
  }
}
