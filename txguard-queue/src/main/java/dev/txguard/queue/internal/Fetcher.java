package dev.txguard.queue.internal;

import dev.txguard.CommitOutcomeUnknownException;
import dev.txguard.Tx;
import dev.txguard.TxOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Claims jobs of one queue and starts each attempt on a virtual thread when one of the queue's
 * slots is free (its concurrency: at most that many handlers run at once). It claims ahead: up to
 * {@code prefetch} claimed attempts wait in this process for a free slot, so that a finished
 * handler's slot starts the next attempt at once, from the thread that freed it, and claims take
 * many jobs at a time instead of the few slots free at that moment; but no more than its slots
 * finish in about 10 ms at the mean slot time of its attempts so far ({@link ClaimAhead}, read once
 * per round), so that slow handlers' jobs do not wait here while another process could run them. A
 * prefetched attempt holds its lease like a running one (the heartbeat extends it); a cancel
 * request starts it at once, so that it ends cancelled without running its handler; stopping hands
 * it back to the queue without counting an attempt ({@link #stop(long)}, then {@link
 * #unstarted()}); if the process dies, the lease expires and maintenance rescues it like a running
 * attempt. Sleeps until woken (a NOTIFY or an enqueue in this process for its queue and level; a
 * finished attempt while jobs may wait unclaimed, or a failed one) or its poll passes: the poll
 * interval, doubling while claims find nothing (see {@link #POLL_BACKOFF}). One per queue and run
 * level (jobs of {@code queue.call} from inside a unit run one level up): the fetcher's claims, and
 * its attempts' units, take connections of its level's pool, so callers holding lower-level
 * connections while they wait never starve it. A claim is three round trips (planner settings for
 * its transaction, plan_lookups.sql; the claim statement; an asynchronous COMMIT); one whose COMMIT
 * loses its connection is decided by attempt token ({@link LostClaims}), never left to lease expiry
 * while the database answers. Runs on its own platform thread. This class is the claim loop and its
 * accounting; the claimed attempts waiting for a slot, the slots and the cancel lane are {@link
 * Prefetched}, where a claim starts in the claim order is {@link ClaimCursor}, how many attempts to
 * hold ahead of the slots is {@link ClaimAhead}. A little over the usual 300 lines: the rest is the
 * loop's accounting (owned, finishing, room), whose counters must change together in one place.
 */
final class Fetcher extends BackgroundLoop {
  /**
   * The longest wait between claims that keep failing (a NOTIFY still wakes the fetcher at once).
   */
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  /**
   * The longest poll of an idle fetcher, in poll intervals: while its claims find nothing and
   * nothing wakes it, the poll doubles from the poll interval up to this many of them (16 s by
   * default), so an idle process claims rarely; a NOTIFY, a finished attempt or a claim that finds
   * jobs brings it back to the interval.
   */
  static final int POLL_BACKOFF = 16;

  private final QueueConfig config;
  private final Sql sql;
  private final Now now;
  private final String queue;

  /** The level this fetcher claims jobs of, and runs its claims and their attempts at. */
  private final int level;

  /** The queue's slots: at most this many of the fetcher's handlers run at once. */
  private final int concurrency;

  /**
   * How many claimed attempts may wait for a slot now (at most the prefetch, less for handlers that
   * hold their slots long): the most attempts claimed whose handlers have not returned is the
   * concurrency plus this limit, read once per round.
   */
  private final ClaimAhead claimAhead;

  /**
   * While this many of this fetcher's attempts' handlers returned and their ends are not yet
   * recorded (plain handlers' completions waiting for a batch: one full batch), it claims nothing
   * more until one of them ends. The bound is per fetcher; the batches are per run level, shared by
   * the fetchers of every queue at that level.
   */
  static final int MAX_FINISHING = Completions.MAX_BATCH;

  /** Claimed attempts waiting for a slot, the slots and the cancel lane. */
  private final Prefetched prefetched;

  /**
   * Attempts claimed whose handlers have not returned (running or in {@link #prefetched}). An
   * attempt leaves this count when its slot is released, not when its end is recorded: a claim need
   * not wait for the commit of the completions before it, so that completions arriving while a
   * batch commits make the next batch larger instead of stopping the claims.
   */
  private final AtomicInteger owned = new AtomicInteger();

  /** Attempts whose slot was released and whose end is not yet recorded; see {@link #owned}. */
  private final AtomicInteger finishing = new AtomicInteger();

  /**
   * Whether jobs may be waiting that this fetcher has not claimed: set before each round reads its
   * room, and cleared when the round's claim took fewer jobs than it asked for, before its attempts
   * start (it found every available job then, and jobs that become available later wake the fetcher
   * themselves). A finished attempt wakes the fetcher only while this is set (or the attempt
   * failed: a retry without delay is available at once), so a finished job does not cost a claim
   * that finds nothing. Set before the room is read, so that an attempt ending meanwhile either is
   * counted by that read or sees the flag set (both are volatile accesses).
   */
  private volatile boolean mayBeMore = true;

  /**
   * The last claim took all it asked for, and asked for less than its room ({@link ClaimSize}
   * rounded the room down): the next claim takes the rest of the room at once, even below {@link
   * #minimumClaim}, which would otherwise leave that rest unclaimed until half a batch of room is
   * free (with one slot and a prefetch of 100, 96 jobs claimed of 101 for as long as the job ran).
   * Confined to the fetcher's thread.
   */
  private boolean roundedDown;

  private final String[] kinds;
  private final Running running;
  private final AttemptRunner runner;
  private final LoopFailures failures;

  /** The wait between claims nobody woke: see {@link #waitForWork}. */
  private final IdleBackoff poll;

  /**
   * The claim's unit: the queue's options without commit-outcome resolution, which would ask for
   * the transaction id before every claim's COMMIT (one round trip); a lost claim COMMIT is decided
   * by attempt token instead ({@link LostClaims}). With the queue's default options a claim sends
   * three round trips: BEGIN with the planner settings (plan_lookups.sql), the claim statement
   * (which also makes its commit asynchronous, see claim.sql), and COMMIT. Options with a timeout
   * add core's prelude ({@code SET LOCAL statement_timeout, lock_timeout}), one round trip more.
   */
  private final TxOptions claimOptions;

  /** Decides a claim whose COMMIT lost its connection. */
  private final LostClaims lostClaims;

  /** Where the next claim starts in the claim order; the fetcher's thread only. */
  private final ClaimCursor cursor = new ClaimCursor();

  Fetcher(
      QueueConfig config,
      Sql sql,
      Now now,
      String queue,
      int level,
      Running running,
      AttemptRunner runner,
      GiveUp giveUp) {
    this.config = config;
    this.sql = sql;
    this.now = now;
    this.queue = queue;
    this.level = level;
    this.concurrency = config.queues().get(queue);
    this.prefetched =
        new Prefetched(config, level, concurrency, this::runAndRelease, this::slotReleased);
    this.claimAhead = new ClaimAhead(config.prefetch(), concurrency);
    this.kinds = config.kinds().runnableNames();
    this.running = running;
    this.runner = runner;
    this.failures =
        new LoopFailures(
            "claiming jobs of queue '" + queue + "' at level " + level,
            config.pollInterval(),
            MAX_BACKOFF);
    this.poll =
        new IdleBackoff(config.pollInterval(), config.pollInterval().multipliedBy(POLL_BACKOFF));
    this.claimOptions = config.txOptions().name("claim " + queue).resolveLostCommit(false);
    this.lostClaims = new LostClaims(config, sql, giveUp, queue, level);
  }

  void start() {
    start("txguard-queue-fetch-" + queue + "@" + level, () -> Levels.run(config.db(), level, this));
  }

  @Override
  public void run() {
    while (!stopped()) {
      try {
        mayBeMore = true;
        int ahead = claimAhead.limit(); // once per round: the room and the minimum claim agree
        int room =
            finishing.get() >= MAX_FINISHING
                ? 0 // wait for a batch to commit: an attempt that ends wakes the fetcher
                : Math.min(concurrency + ahead - owned.get(), config.fetchBatchSize());
        boolean claim =
            room > 0 && (prefetched.count() == 0 || room >= minimumClaim(ahead) || roundedDown);
        roundedDown = false;
        int limit = claim ? ClaimSize.limit(room, config.fetchBatchSize()) : 0;
        int claimed = claim ? claim(limit) : 0;
        roundedDown = claim && claimed == limit && limit < room;
        failures.succeeded();
        if (claimed > 0) {
          poll.reset();
        }
        if (claim && claimed < limit && !cursor.lastFromHead()) {
          // a short claim after the cursor took what was after it, nothing behind it (a better
          // priority, a retry), and this round may have taken such a job's wake-up: a claim from
          // the head follows at the next wake-up after the gap, or a second after the last claim
          // from the head (ClaimCursor), not at the poll
          long untilHead = cursor.wantHead(System.nanoTime());
          if (untilHead > 0) {
            waitForWork(false, untilHead);
          }
          continue;
        }
        if (!claim || claimed < limit) {
          // nothing more to take for now (or no room to take it): wait for a NOTIFY, a finished
          // attempt or the poll, which backs off while claims find nothing
          waitForWork(claim && claimed == 0);
        }
      } catch (InterruptedException e) {
        return;
      } catch (Throwable e) {
        // whatever went wrong (a database error, an Error from a listener or the JVM), the fetcher
        // must live on: its queue's level would not be worked until the process restarts
        Duration wait = failures.failed(e);
        try {
          wake.await(wait);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  /**
   * While prefetched attempts still wait, a claim waits until it can take at least half a batch (or
   * half the claim-ahead): many small claims would cost a round trip and a commit each. Half the
   * claim-ahead, not of the capacity: with a small claim-ahead a claim of one job must still be
   * made, or a job could stay unclaimed while a long handler holds the only slot.
   *
   * @param ahead the round's claim-ahead ({@link ClaimAhead#limit()})
   */
  private int minimumClaim(int ahead) {
    return Math.max(1, Math.min(config.fetchBatchSize(), ahead) / 2);
  }

  /**
   * Waits for a wake-up or the poll. A wake-up resets the poll to the poll interval; a poll that
   * runs out after an empty claim doubles it (up to {@link #POLL_BACKOFF} times the interval).
   */
  private void waitForWork(boolean foundNothing) throws InterruptedException {
    waitForWork(foundNothing, Long.MAX_VALUE);
  }

  /** {@link #waitForWork(boolean)}, but at most {@code maxNanos}. */
  private void waitForWork(boolean foundNothing, long maxNanos) throws InterruptedException {
    Duration wait = poll.current();
    if (wait.toNanos() > maxNanos) {
      wait = Duration.ofNanos(maxNanos);
    }
    if (wake.await(wait)) {
      poll.reset();
    } else {
      // the poll (or the second after the last claim from the head, after a short claim from the
      // cursor): look from the head, where a job whose wake-up was missed may be
      cursor.headDue();
      if (foundNothing) {
        poll.idle();
      }
    }
  }

  private int claim(int limit) {
    owned.addAndGet(limit);
    LostClaims.Rows rows = new LostClaims.Rows(level);
    Object[] after = cursor.next(System.nanoTime());
    List<Attempt> attempts;
    try {
      attempts = config.db().inTx(claimOptions, tx -> claimRows(tx, rows, after, limit));
    } catch (CommitOutcomeUnknownException e) {
      owned.addAndGet(-limit);
      cursor.reset();
      throw lostClaims.handBack(rows, e);
    } catch (RuntimeException | Error e) {
      owned.addAndGet(-limit);
      cursor.reset();
      throw e;
    }
    cursor.claimed(rows.last, rows.trail, attempts.size() == limit, System.nanoTime());
    owned.addAndGet(attempts.size() - limit);
    if (attempts.size() < limit) {
      mayBeMore = false; // before the attempts start, so that none of them sees it still set
    }
    for (Attempt a : attempts) {
      running.add(a); // from now on the heartbeat extends its lease
      prefetched.add(a);
    }
    prefetched.startReady();
    return attempts.size();
  }

  /**
   * Runs the claim statement in {@code tx}; the attempts it read stay in {@code rows}, so that a
   * claim whose COMMIT is lost can hand them back.
   */
  private List<Attempt> claimRows(Tx tx, LostClaims.Rows rows, Object[] after, int limit) {
    rows.reset();
    rows.attempts =
        LookupPlans.query(
            tx,
            sql,
            sql.claim(limit),
            rows::read,
            now.param(),
            queue,
            after[0],
            after[1],
            after[2],
            kinds,
            level,
            config.owner(),
            config.leaseDuration().toMillis());
    return rows.attempts;
  }

  /**
   * The handler of {@code a} returned (or its attempt ended): its slot and its room to claim are
   * free, so the next prefetched attempt starts here and, while jobs may wait unclaimed, the
   * fetcher claims more.
   */
  private void slotReleased(Attempt a) {
    if (a.started) {
      // before the room is freed, so that the round it wakes reads the claim-ahead with this slot
      // time in it
      claimAhead.slotReleased(System.nanoTime() - a.startedNanos);
    }
    a.finishing = true;
    finishing.incrementAndGet();
    owned.decrementAndGet();
    prefetched.releaseSlot();
    if (mayBeMore) {
      wake.raise();
    }
  }

  private void runAndRelease(Attempt a) {
    try {
      if (!a.leaseLost) { // a heartbeat found the lease of a prefetched attempt gone: skip it
        a.startedNanos = System.nanoTime(); // it starts in its slot now (see ClaimAhead)
        a.started = true;
        runner.run(a);
      }
    } finally {
      running.remove(a);
      a.releaseSlot(); // if its handler did not release it (a failure, a transactional handler)
      if (a.finishing) {
        finishing.decrementAndGet();
      } else {
        owned.decrementAndGet(); // a cancelled prefetched attempt: it never had a slot
      }
      if (mayBeMore || a.ending) {
        wake.raise();
      }
    }
  }

  /**
   * After {@link #stop(long)}: takes the prefetched attempts that never started (none starts any
   * more) and forgets them; the caller hands their leases back.
   */
  List<Attempt> unstarted() {
    List<Attempt> taken = prefetched.drain();
    for (Attempt a : taken) {
      running.remove(a);
      owned.decrementAndGet();
    }
    return taken;
  }

  @Override
  public String toString() {
    String state =
        "free slots "
            + prefetched.freeSlots()
            + ", prefetched "
            + prefetched.count()
            + ", "
            + claimAhead;
    return "Fetcher[" + queue + "@" + level + ", " + state + "]";
  }
}
