package dev.txguard.cli.internal;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The five stories of MISSION.md, in order. */
public final class Stories {
  private static final List<Story> ALL = List.of(
      new CompleteJobStory(), new StaleReleaseStory(), new LeakedTxStory(), new AbortedImportStory(),
      new PoolDeadlockStory());

  private Stories() {}

  /** Every story, by number. */
  public static List<Story> all() {
    return ALL;
  }

  /** The story of {@code catalogue} named by its id ({@code leaked-tx}) or number ({@code 3}), if any. */
  public static Optional<Story> find(List<Story> catalogue, String name) {
    String key = name.trim().toLowerCase(Locale.ROOT);
    return catalogue.stream()
        .filter(s -> s.id().equals(key) || String.valueOf(s.number()).equals(key))
        .findFirst();
  }

  /** The ids with their numbers, for messages: {@code complete-job (1), ...}. */
  public static String names(List<Story> catalogue) {
    return catalogue.stream().map(s -> s.id() + " (" + s.number() + ")").collect(Collectors.joining(", "));
  }
}
