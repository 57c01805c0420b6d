package dev.txguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Bad invocations of {@code txguard migrate} and {@code txguard queue ...} that need no database:
 * each is one line naming what was wrong, a usage hint, status 2, and nothing on standard output.
 */
class AdminCommandsTest {
  /** Refused at once on the loopback: no server needed. */
  static final String NOWHERE = "jdbc:postgresql://127.0.0.1:1/app";

  static void assertBad(Run run, String firstLine, String command) {
    assertThat(run.status()).as(run.err()).isEqualTo(2);
    assertThat(run.errLines()).containsExactly(firstLine, "Usage hint: " + command + " --help");
    assertThat(run.out()).isEmpty();
  }

  static void assertBadStartingWith(Run run, String start, String command) {
    assertThat(run.status()).as(run.err()).isEqualTo(2);
    assertThat(run.errLines()).hasSize(2);
    assertThat(run.errLines().get(0)).startsWith(start);
    assertThat(run.errLines().get(1)).isEqualTo("Usage hint: " + command + " --help");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void noServerGivenNamesTheOptionAndTheVariable() {
    for (String[] args :
        new String[][] {
          {"migrate"},
          {"queue", "stats"},
          {"queue", "processes"},
          {"queue", "schedules"},
          {"queue", "list"},
          {"queue", "show", "1"},
          {"queue", "retry", "1"},
          {"queue", "cancel", "1"},
          {"queue", "prune", "--older-than", "7d"}
        }) {
      Run run = Run.of(args);
      assertBad(
          run,
          "txguard: no server given: pass --url jdbc:postgresql://HOST:PORT/DATABASE or set TXGUARD_URL",
          "txguard "
              + String.join(" ", java.util.Arrays.copyOf(args, args[0].equals("queue") ? 2 : 1)));
    }
  }

  @Test
  void urlMustBeAPostgresJdbcUrlWithoutShowingAPassword() {
    assertBad(
        Run.of("migrate", "--url", "postgres://localhost/app?password=hunter2"),
        "txguard: --url must be a PostgreSQL JDBC URL starting with jdbc:postgresql://, was"
            + " postgres://localhost/app?password=***",
        "txguard migrate");
    assertBad(
        Run.withEnv(Map.of("TXGUARD_URL", "mysql://x"), "queue", "stats"),
        "txguard: TXGUARD_URL must be a PostgreSQL JDBC URL starting with jdbc:postgresql://, was mysql://x",
        "txguard queue stats");
  }

  @Test
  void jobIdsArePositiveOrTheInvocationIsBad() {
    for (String[] args :
        new String[][] {
          {"queue", "show", "-5"}, {"queue", "retry", "3", "0"}, {"queue", "cancel", "-1"}
        }) {
      assertBad(
          Run.of(withServer(args)),
          "txguard: job ids are positive numbers, was " + (args[2].equals("3") ? "0" : args[2]),
          "txguard queue " + args[1]);
    }
  }

  private static String[] withServer(String[] args) {
    String[] all = java.util.Arrays.copyOf(args, args.length + 2);
    all[args.length] = "--url";
    all[args.length + 1] = NOWHERE;
    return all;
  }

  @Test
  void unreachableServerIsOneLineWithoutThePassword() {
    Run run =
        Run.of("queue", "stats", "--url", NOWHERE + "?password=hunter2", "--password", "hunter3");

    assertBadStartingWith(
        run,
        "txguard: cannot connect to "
            + NOWHERE
            + "?password=***: Connection to 127.0.0.1:1"
            + " refused",
        "txguard queue stats");
    assertThat(run.err()).doesNotContain("hunter");
  }

  @Test
  void theEnvironmentGivesTheServer() {
    Run run =
        Run.withEnv(
            Map.of("TXGUARD_URL", NOWHERE, "TXGUARD_PASSWORD", "hunter2"), "migrate", "--dry-run");

    assertBadStartingWith(run, "txguard: cannot connect to " + NOWHERE + ": ", "txguard migrate");
    assertThat(run.err()).doesNotContain("hunter2");
  }

  @Test
  void queueWithoutSubcommandShowsUsageAndFails() {
    Run run = Run.of("queue");

    assertThat(run.status()).isEqualTo(2);
    assertThat(run.err())
        .contains(
            "Usage: txguard queue",
            "stats",
            "processes",
            "schedules",
            "list",
            "show",
            "retry",
            "cancel",
            "prune");
  }

  /**
   * Newcomer review: {@code txguard queue bogus} printed picocli's {@code Unmatched argument at
   * index 1: 'bogus'}; it says the command is unknown and names the valid ones.
   */
  @Test
  void unknownSubcommandNamesTheValidOnes() {
    assertBad(
        Run.of("queue", "purge"),
        "txguard: unknown queue command 'purge'; the queue commands are stats, processes, schedules,"
            + " list, show, retry, cancel, prune",
        "txguard queue");
    assertBad(
        Run.of("bogus"),
        "txguard: unknown command 'bogus'; the commands are demo, migrate, queue, dashboard",
        "txguard");
  }

  @Test
  void listFiltersAreCheckedBeforeConnecting() {
    assertBad(
        Run.of("queue", "list", "--url", NOWHERE, "--state", "failed,bogus"),
        "txguard: unknown state 'bogus'; the states are scheduled, available, running, retryable, completed, failed,"
            + " cancelled, discarded",
        "txguard queue list");
    assertBad(
        Run.of("queue", "list", "--url", NOWHERE, "--limit", "0"),
        "txguard: limit must be between 1 and 1000, was 0",
        "txguard queue list");
    assertBad(
        Run.of("queue", "list", "--url", NOWHERE, "--older-than", "3x"),
        "txguard: Invalid value for option '--older-than': '3x' is not a duration: use e.g. 500ms, 30s, 5m, 2h, 7d,"
            + " 1h30m or PT30S",
        "txguard queue list");
    assertBad(
        Run.of("queue", "list", "--url", NOWHERE, "--kind", "no spaces"),
        "txguard: kind must be 1 to 128 characters of letters, digits, '_', '.', ':' or '-', was \"no spaces\"",
        "txguard queue list");
    assertBad(
        Run.of("queue", "list", "--url", NOWHERE, "--before", "0"),
        "txguard: before must be a job id (1 or more), was 0",
        "txguard queue list");
  }

  @Test
  void showNeedsOneNumericId() {
    assertBad(
        Run.of("queue", "show", "--url", NOWHERE),
        "txguard: Missing required parameter: 'ID'",
        "txguard queue show");
    assertBadStartingWith(
        Run.of("queue", "show", "--url", NOWHERE, "abc"),
        "txguard: Invalid value for positional parameter at index 0 (ID): 'abc'",
        "txguard queue show");
  }

  @Test
  void retryNeedsIds() {
    assertBad(
        Run.of("queue", "retry", "--url", NOWHERE),
        "txguard: Missing required parameter: 'ID'",
        "txguard queue retry");
  }

  @Test
  void cancelNeedsIdsOrAGroupButNotBoth() {
    assertBad(
        Run.of("queue", "cancel", "--url", NOWHERE),
        "txguard: name the jobs to cancel: give job ids or --group GROUP",
        "txguard queue cancel");
    assertBad(
        Run.of("queue", "cancel", "--url", NOWHERE, "1", "--group", "g"),
        "txguard: give job ids or --group, not both",
        "txguard queue cancel");
    assertBad(
        Run.of("queue", "cancel", "--url", NOWHERE, "1", "--wait", "5s"),
        "txguard: --wait needs --group (cancelling by id does not wait)",
        "txguard queue cancel");
    assertBad(
        Run.of("queue", "cancel", "--url", NOWHERE, "--group", "g", "--wait", "soon"),
        "txguard: Invalid value for option '--wait': 'soon' is not a duration: use e.g. 500ms, 30s, 5m, 2h, 7d,"
            + " 1h30m or PT30S",
        "txguard queue cancel");
  }

  @Test
  void pruneNeedsAnAge() {
    assertBad(
        Run.of("queue", "prune", "--url", NOWHERE),
        "txguard: Missing required option: '--older-than=AGE'",
        "txguard queue prune");
  }

  /**
   * A mistyped option before a password: picocli named every unmatched argument ("Unknown options:
   * '--pasword', 'hunter2'"), the password among them. Only the unknown option is named.
   */
  @Test
  void anUnknownOptionIsNamedWithoutTheArgumentsAfterIt() {
    Run apart = Run.of("migrate", "--pasword", "hunter2");
    Run joined = Run.of("migrate", "--pasword=hunter2");
    Run extra = Run.of("queue", "stats", "foo", "hunter2");

    assertBad(apart, "txguard: Unknown option: '--pasword'", "txguard migrate");
    assertBad(joined, "txguard: Unknown option: '--pasword'", "txguard migrate");
    assertBad(extra, "txguard: Unmatched argument: 'foo'", "txguard queue stats");
  }

  /** Newcomer review: {@code dashboard --help} listed --json, which did nothing there. */
  @Test
  void dashboardHasNoJsonOption() {
    assertThat(Run.of("dashboard", "--help").out()).contains("--port").doesNotContain("--json");
    assertBad(
        Run.of("dashboard", "--json", "--url", NOWHERE),
        "txguard: Unknown option: '--json'",
        "txguard dashboard");
  }

  @Test
  void helpNamesTheOptionsAndExitStatuses() {
    Run migrate = Run.of("migrate", "--help");
    Run list = Run.of("queue", "list", "--help");

    assertThat(migrate.status()).isZero();
    assertThat(migrate.out())
        .contains(
            "--dry-run",
            "--url",
            "--user",
            "--password",
            "--schema",
            "--json",
            "TXGUARD_URL",
            "Exit status");
    assertThat(list.out())
        .contains(
            "--state",
            "--kind",
            "--queue",
            "--group",
            "--older-than",
            "--newer-than",
            "--limit",
            "--before");
    assertThat(migrate.out().lines()).allMatch(l -> l.length() <= 100);
  }
}
