/** Micrometer meters for txguard: {@code dev.txguard.micrometer.TxguardMetrics}. */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.txguard.micrometer {
  requires transitive dev.txguard;
  requires transitive micrometer.core;

  exports dev.txguard.micrometer;
}
