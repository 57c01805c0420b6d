package dev.txguard.cli.internal;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The five stories of MISSION.md, in order; on MariaDB with story 4 in its MariaDB form. */
public final class Stories {
  private static final List<Story> ALL =
      List.of(
          new CompleteJobStory(),
          new StaleReleaseStory(),
          new LeakedTxStory(),
          new AbortedImportStory(),
          new PoolDeadlockStory());

  private static final List<Story> MARIADB =
      List.of(ALL.get(0), ALL.get(1), ALL.get(2), new CaughtDeadlockStory(), ALL.get(4));

  private Stories() {}

  /**
   * The stories as they run on MariaDB ({@code txguard demo --url jdbc:mariadb://...}): stories 1,
   * 2, 3 and 5 with MariaDB forms of their scripts, and story 4 as {@code caught-deadlock}, the
   * MariaDB failure of the same kind (a caught error followed by a commit). The PostgreSQL story 4,
   * {@code aborted-import}, is about PostgreSQL's aborted-transaction state (25P02), which MariaDB
   * does not have.
   */
  public static List<Story> mariaDb() {
    return MARIADB;
  }

  /** Every story, by number. */
  public static List<Story> all() {
    return ALL;
  }

  /**
   * The story of {@code catalogue} named by its id ({@code leaked-tx}) or number ({@code 3}), if
   * any.
   */
  public static Optional<Story> find(List<Story> catalogue, String name) {
    String key = name.trim().toLowerCase(Locale.ROOT);
    return catalogue.stream()
        .filter(s -> s.id().equals(key) || String.valueOf(s.number()).equals(key))
        .findFirst();
  }

  /** The ids with their numbers, for messages: {@code complete-job (1), ...}. */
  public static String names(List<Story> catalogue) {
    return catalogue.stream()
        .map(s -> s.id() + " (" + s.number() + ")")
        .collect(Collectors.joining(", "));
  }
}
