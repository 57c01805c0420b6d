package dev.txguard.cli.internal;

/**
 * One story of MISSION.md, replayable twice against a real PostgreSQL: once written the naive way
 * the original code was, once with txguard. Each run starts from tables the story creates itself in
 * the demo's schema, and measures what happened by counting rows afterwards.
 *
 * <p>Implementations must bound every wait (a story that can deadlock detects it with a timeout)
 * and release every connection they opened before returning, also when they throw.
 */
public interface Story {
  /** The story's number in MISSION.md, 1 to 5. */
  int number();

  /** The story's id on the command line, e.g. {@code complete-job}. */
  String id();

  /** The story's title, one line. */
  String title();

  /** What the story replays and measures, a few sentences for {@code --list}. */
  String description();

  /**
   * Replays one variant and measures it.
   *
   * @throws Exception when the run itself could not be carried out (not when the fault showed)
   */
  Measurement run(Variant variant, StoryContext context) throws Exception;
}
