package dev.txguard.test;

/**
 * Marks connections handed out by {@link FaultInjector#wrap}; found again through {@code unwrap}.
 */
interface Tracked {
  /** The connection's tracking state. */
  TrackedConnection tracking();
}
