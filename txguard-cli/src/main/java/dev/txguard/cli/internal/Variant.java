package dev.txguard.cli.internal;

/** The two ways every story is replayed. */
public enum Variant {
  /** Written the way the original code was: the faulty pattern of the story. */
  NAIVE("naive"),
  /** The same work through txguard. */
  TXGUARD("txguard");

  private final String label;

  Variant(String label) {
    this.label = label;
  }

  /** The lower-case name used in reports. */
  public String label() {
    return label;
  }
}
