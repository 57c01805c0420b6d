package dev.txguard.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Input that PostgreSQL or the runtime would refuse deep inside fails where it is given, with a
 * message saying what is wrong: U+0000 in text, over-long schema names, run levels the database
 * does not have, durations too long to measure.
 */
@TxguardTest(queue = false)
class InputValidationIT {
  @Injected static TestDatabase pg;

  record Note(String text) {}

  record Tagged(Map<String, List<String>> tags) {}

  record Echo(int n) {}

  record Nested(Nested inner) {}

  /** Runs until cancel is requested. */
  record Waits(int n) {}

  static Database db;
  static JobQueue queue;

  @BeforeAll
  static void setUp() {
    db = QueueFixture.db(pg, 8);
    queue =
        QueueFixture.builder(pg, db, "inputs")
            .declare("note", Note.class)
            .declare("tagged", Tagged.class)
            .declare("nested", Nested.class)
            .handleInTx("echo", Echo.class, (tx, job) -> job.args().n())
            .handle(
                "waits",
                Waits.class,
                job -> {
                  while (!job.isCancelRequested()) {
                    Thread.sleep(10);
                  }
                  return null;
                })
            .queue("default", 4)
            .build();
    QueueFixture.start(queue);
  }

  @AfterAll
  static void tearDown() {
    QueueFixture.stop(queue, db);
  }

  /** Issue 14, item 7: a too-deeply nested argument gave a 42,000-character exception message. */
  @Test
  void aTooDeeplyNestedArgumentFailsWithABoundedMessageThatSaysWhatWasCut() {
    Nested deep = null;
    for (int i = 0; i < 2_000; i++) {
      deep = new Nested(deep);
    }
    Nested arg = deep;

    assertThatThrownBy(() -> queue.enqueue(arg))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "args of job kind 'nested' (type "
                + Nested.class.getName()
                + ") cannot be serialised to JSON: Document nesting depth")
        .hasMessageContaining("characters cut]")
        .satisfies(e -> assertThat(e.getMessage().length()).as("message length").isLessThan(1_500));
  }

  @Test
  void nulInArgumentsFailsAtEnqueueAndLeavesTheCallersUnitUsable() throws Exception {
    long id =
        db.inTx(
            tx -> {
              assertThatThrownBy(() -> queue.enqueue(tx, new Note("a\0b")))
                  .isInstanceOf(IllegalArgumentException.class)
                  .hasMessage(
                      "args of job kind 'note' (type "
                          + Note.class.getName()
                          + ") cannot be enqueued: it contains"
                          + " the character U+0000 (NUL), which PostgreSQL cannot store in text or jsonb (at $.text); remove"
                          + " it, or encode binary data (e.g. as Base64)");
              assertThatThrownBy(
                      () ->
                          queue.enqueue(tx, new Tagged(Map.of("colour", List.of("red", "bl\0ue")))))
                  .isInstanceOf(IllegalArgumentException.class)
                  .hasMessageContaining("(at $.tags.colour[1])");
              assertThatThrownBy(() -> queue.enqueue(tx, new Tagged(Map.of("c\0lour", List.of()))))
                  .isInstanceOf(IllegalArgumentException.class)
                  .hasMessageContaining("(at $.tags (a field name))");
              return queue
                  .enqueue(tx, new Note("a backslash and u0000 as text: \\u0000 is fine"))
                  .id();
            });
    assertThat(queue.find(id).orElseThrow().argsJson()).contains("\\\\u0000 is fine");
    assertThatThrownBy(
            () ->
                queue.enqueueAll(
                    List.of(new Note("ok"), new Note("\0")), EnqueueOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("args[1]: args of job kind 'note'")
        .hasMessageContaining("U+0000");
  }

  /**
   * Break-it review, session 16: a string with an unpaired surrogate (substring() cutting an emoji
   * in half) was stored as '?': the handler got "?abc" for "\uD800abc", and unique keys "k\uD800"
   * and "k\uDBFF" were one key.
   */
  @Test
  void anUnpairedSurrogateInArgumentsFailsAtEnqueueNamingWhere() {
    String cut = "\uD83D\uDE00 smile".substring(1); // half an emoji: a lone low surrogate
    assertThatThrownBy(() -> queue.enqueue(new Note(cut)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "args of job kind 'note' (type "
                + Note.class.getName()
                + ") cannot be enqueued: it contains an unpaired UTF-16 surrogate (half of a"
                + " character, as substring() leaves when it cuts through an emoji), which"
                + " PostgreSQL cannot store: the driver would send '?' in its place (U+DE00 at"
                + " index 0 of the string at $.text); remove it, or cut text at character"
                + " boundaries (e.g. with String.offsetByCodePoints)");
    assertThatThrownBy(
            () -> queue.enqueue(new Tagged(Map.of("colour", List.of("red", "blue\uD800")))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(U+D800 at index 4 of the string at $.tags.colour[1])");
    assertThatThrownBy(
            () ->
                queue.enqueueAll(
                    List.of(new Note("ok"), new Note("\uDBFF")), EnqueueOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("args[1]: args of job kind 'note'")
        .hasMessageContaining("unpaired UTF-16 surrogate");
    // a whole emoji is stored and read back as it was
    long id = queue.enqueue(new Note("\uD83D\uDE00 smile")).id();
    assertThat(queue.find(id).orElseThrow().argsJson()).contains("\uD83D\uDE00 smile");
  }

  @Test
  void anUnpairedSurrogateInUniqueKeyGroupOrOwnerFailsWhereItIsWritten() {
    EnqueueOptions d = EnqueueOptions.defaults();
    assertThatThrownBy(() -> d.uniqueKey("k\uD800"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "uniqueKey must not contain an unpaired UTF-16 surrogate (half of a character, as"
                + " substring() leaves when it cuts through an emoji), which PostgreSQL cannot"
                + " store: the driver would send '?' in its place; found U+D800 at index 1 of"
                + " \"k\\uD800\"");
    assertThatThrownBy(() -> d.group("g\uDBFF"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("group must not contain an unpaired UTF-16 surrogate");
    assertThatThrownBy(() -> queue.cancelGroup("g\uDC00", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("group must not contain an unpaired UTF-16 surrogate");
    assertThatThrownBy(() -> JobFilter.all().group("g\uDC00"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("group must not contain an unpaired UTF-16 surrogate");
    assertThatThrownBy(() -> JobQueue.builder(db).owner("host\uD800"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("owner must not contain an unpaired UTF-16 surrogate");
    assertThat(d.uniqueKey("k\uD83D\uDE00").uniqueKey()).contains("k\uD83D\uDE00");
  }

  @Test
  void nulInUniqueKeyGroupOrOwnerFailsWhereItIsWritten() {
    EnqueueOptions d = EnqueueOptions.defaults();
    assertThatThrownBy(() -> d.uniqueKey("key\0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "uniqueKey must not contain the character U+0000 (NUL), which PostgreSQL cannot store in text;"
                + " found at index 3 of \"key\\0\"");
    assertThatThrownBy(() -> d.group("\0group"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("group must not contain the character U+0000 (NUL)");
    assertThatThrownBy(() -> queue.cancelGroup("g\0", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("group must not contain the character U+0000 (NUL)");
    assertThatThrownBy(() -> JobQueue.builder(db).owner("host\0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("owner must not contain the character U+0000 (NUL)");
  }

  @Test
  void schemaNamesMustLeaveRoomForTheNotificationChannels() {
    String longest = "s".repeat(58);
    assertThatThrownBy(() -> JobQueue.builder(db).schema(longest + "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "schema must be at most 58 characters, so that the queue's notification channels "
                + longest
                + "x_jobs and "
                + longest
                + "x_done fit PostgreSQL's 63-byte identifiers; was 59 characters: \""
                + longest
                + "x\"");
    assertThatThrownBy(() -> JobQueue.builder(db).schema("pg_jobs"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "schema must not start with pg_, a prefix PostgreSQL reserves for system schemas, was \"pg_jobs\"");
    // the longest allowed name works end to end: its channels are exactly 63 bytes
    JobQueue q = JobQueue.builder(db).schema(longest).declare("note", Note.class).build();
    q.migrate();
    long id = q.enqueue(new Note("fits")).id();
    assertThat(q.find(id)).isPresent();
  }

  /**
   * Break-it review, session 16: {@code schema("user")} passed the check and migrate() failed with
   * the server's "syntax error at or near "user"" (42601) and its SQL.
   */
  @Test
  void aReservedKeyWordCannotNameTheSchema() {
    for (String word : List.of("user", "select", "order", "all", "current_user", "join")) {
      assertThatThrownBy(() -> JobQueue.builder(db).schema(word))
          .as(word)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "schema must not be a reserved key word of PostgreSQL, which cannot name a schema"
                  + " without quotes; was \""
                  + word
                  + "\": choose another name, e.g. \""
                  + word
                  + "_queue\"");
    }
    // every word this server reserves (R, and T: reserved, can be a function or type name)
    List<String> reserved =
        db.inTx(
            tx ->
                tx.query(
                    "select word from pg_get_keywords() where catcode in ('R', 'T')",
                    rs -> rs.getString(1)));
    assertThat(reserved).hasSizeGreaterThan(90);
    for (String word : reserved) {
      assertThatThrownBy(() -> JobQueue.builder(db).schema(word))
          .as(word)
          .hasMessageContaining("reserved key word");
    }
    // unreserved and column-name key words work as the queue's schema
    for (String word : List.of("between", "names")) {
      JobQueue q = JobQueue.builder(db).schema(word).declare("note", Note.class).build();
      q.migrate();
      assertThat(q.find(q.enqueue(new Note("fits")).id())).as(word).isPresent();
    }
  }

  @Test
  void runLevelsTheDatabaseDoesNotHaveFailAtStart() {
    try (Database oneLevel =
        Database.builder()
            .url(pg.url())
            .user(pg.user())
            .password(pg.password())
            .poolSize(2)
            .maxLevels(1)
            .build()) {
      JobQueue q =
          QueueFixture.builder(pg, oneLevel, "levels")
              .handle("echo", Echo.class, job -> 1)
              .queue("default", 1)
              .build();
      assertThatThrownBy(q::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith(
              "runLevels(2) makes this queue claim and run jobs at levels 0 to 1, but")
          .hasMessageContaining(
              "has maxLevels 1 (levels 0 to 0): lower JobQueue.Builder#runLevels, or raise"
                  + " Database.Builder#maxLevels above 1");
      // one level is enough for a queue that takes no calls from inside units
      JobQueue single =
          QueueFixture.builder(pg, oneLevel, "levels")
              .handleInTx("echo", Echo.class, (tx, job) -> job.args().n())
              .queue("default", 1)
              .runLevels(1)
              .build();
      single.migrate();
      single.start();
      assertThat(single.call(new Echo(5), Integer.class, Duration.ofSeconds(60))).isEqualTo(5);
      assertThat(single.stop(Duration.ofSeconds(10))).isTrue();
    }
  }

  @Test
  void hugeDurationsAreWaitedForNotOverflowed() throws Exception {
    Duration forever = Duration.ofSeconds(Long.MAX_VALUE);
    assertThat(queue.call(new Echo(3), Integer.class, forever)).isEqualTo(3);

    long id = queue.enqueue(new Waits(1), EnqueueOptions.defaults().group("long-wait")).id();
    QueueFixture.await("the job runs", () -> QueueFixture.state(queue, id) == JobState.RUNNING);
    // beyond lock_timeout's limit of about 24.8 days: waited for up to that limit
    assertThat(queue.cancelGroup("long-wait", Duration.ofDays(1000)))
        .isEqualTo(new CancelResult(0, 1, 0));

    JobQueue idle =
        QueueFixture.builder(pg, db, "inputs")
            .handle("echo", Echo.class, job -> 1)
            .queue("unused", 1)
            .build();
    idle.start();
    assertThat(idle.stop(forever)).isTrue();

    JobQueue.Builder b = JobQueue.builder(db);
    assertThatThrownBy(() -> b.pollInterval(Duration.ofDays(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pollInterval must be between PT0.01S and PT24H, was PT48H");
    assertThatThrownBy(() -> b.maintenanceInterval(forever))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("maintenanceInterval must be between PT0.01S and PT24H, was");
    assertThatThrownBy(() -> b.leaseDuration(Duration.ofDays(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("leaseDuration must be between PT0.1S and PT24H, was PT48H");
    assertThatThrownBy(() -> b.retention(forever))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("retention must be between PT1S and PT876000H, was");
    assertThatThrownBy(() -> b.retryBackoff(Duration.ZERO, forever))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("retryBackoff max must be at most PT876000H (100 years), was");
  }
}
