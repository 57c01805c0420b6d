package dev.txguard.queue.internal;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The queue's notion of "now" as a statement parameter. By default every statement uses the
 * database's {@code now()} (one clock for all processes, so leases compare correctly across
 * machines); a test may inject a {@link Clock}, whose instant every statement then uses instead.
 */
record Now(Clock clock) {
  /**
   * The {@code now} parameter: null (the statements fall back to the database's clock) or the
   * instant.
   */
  OffsetDateTime param() {
    return clock == null ? null : OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
  }
}
