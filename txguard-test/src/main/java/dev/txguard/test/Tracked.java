package dev.txguard.test;

/**
 * Marks connections handed out by {@link FaultInjector#wrap}; found again through {@code unwrap}.
 */
interface Tracked {
  /** {@return the connection's tracking state} */
  TrackedConnection tracking();
}
