package dev.txguard.cli;

import dev.txguard.cli.internal.Measurement;
import dev.txguard.cli.internal.Story;
import dev.txguard.cli.internal.StoryContext;
import dev.txguard.cli.internal.Variant;

/** A made-up story whose variants do what the test says, touching no database. */
record FakeStory(int number, String id, Behaviour naive, Behaviour txguard) implements Story {
  /** What a variant does. */
  enum Behaviour {
    FAULT,
    CLEAN,
    THROW,
    HANG
  }

  @Override
  public String title() {
    return "Fake " + id;
  }

  @Override
  public String description() {
    return "A story made up for tests.";
  }

  @Override
  public Measurement run(Variant variant, StoryContext context) throws Exception {
    Behaviour b = variant == Variant.NAIVE ? naive : txguard;
    switch (b) {
      case THROW -> throw new IllegalStateException("the fake story broke");
      case HANG -> Thread.sleep(60_000);
      default -> {}
    }
    boolean fault = b == Behaviour.FAULT;
    return Measurement.collect()
        .put("broken", fault ? 1 : 0)
        .measured(
            fault, fault ? "1 broken" : "0 broken", fault ? "one thing broke" : "nothing broke");
  }
}
