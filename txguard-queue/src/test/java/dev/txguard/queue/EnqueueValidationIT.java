package dev.txguard.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad input fails at enqueue, with a message naming what is wrong, and inserts nothing. */
@TxguardTest(queue = false)
class EnqueueValidationIT {
  @Injected static TestDatabase pg;

  record Known(String text) {}

  record Unknown(String text) {}

  record Opaque(Object payload) {}

  /** Serialises through its getter but cannot be read back: no creator for {@code value}. */
  static final class WriteOnly {
    private final int value;

    WriteOnly(int value) {
      this.value = value;
    }

    public int getValue() {
      return value;
    }
  }

  static Database db;
  static JobQueue queue;

  @BeforeAll
  static void setUp() {
    db = QueueFixture.db(pg, 2);
    queue =
        JobQueue.builder(db)
            .schema("val")
            .declare("known", Known.class)
            .declare("opaque", Opaque.class)
            .declare("write-only", WriteOnly.class)
            .build();
    queue.migrate();
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @Test
  void unknownKind() {
    assertThatThrownBy(() -> queue.enqueue(new Unknown("x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown job kind")
        .hasMessageContaining(Unknown.class.getName())
        .hasMessageContaining("known=Known");
  }

  @Test
  void argumentsThatCannotBeSerialised() {
    assertThatThrownBy(() -> queue.enqueue(new Opaque(new Object())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("args of job kind 'opaque'")
        .hasMessageContaining("cannot be serialised to JSON");
  }

  @Test
  void argumentsThatCannotBeReadBackFailAtEnqueueNotInAWorker() {
    assertThatThrownBy(() -> queue.enqueue(new WriteOnly(3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("args of job kind 'write-only'")
        .hasMessageContaining("{\"value\":3}")
        .hasMessageContaining("cannot be read back");
  }

  @Test
  void nullArguments() {
    assertThatThrownBy(() -> queue.enqueue(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("args must not be null");
  }

  @Test
  void badOptionsFailWhereTheyAreWritten() {
    EnqueueOptions d = EnqueueOptions.defaults();
    assertThatThrownBy(() -> d.queue(""))
        .hasMessage(
            "queue must be 1 to 128 characters of letters, digits, '_', '.', ':' or '-', was \"\"");
    assertThatThrownBy(() -> d.priority(-1))
        .hasMessage("priority must be between 0 and 32767 (lower runs first), was -1");
    assertThatThrownBy(() -> d.maxAttempts(0)).hasMessage("maxAttempts must be at least 1, was 0");
    assertThatThrownBy(() -> d.runAt(java.time.Instant.MAX))
        .hasMessageStartingWith("runAt must be an instant between")
        .hasMessageEndingWith("was +1000000000-12-31T23:59:59.999999999Z");
    assertThatThrownBy(() -> d.runAt(null)).hasMessageEndingWith("was null");
    assertThatThrownBy(() -> d.uniqueKey(" "))
        .hasMessage("uniqueKey must be 1 to 128 characters and not blank, was \" \"");
  }

  @Test
  void aRejectedEnqueueLeavesTheCallersUnitUsableAndInsertsNothing() throws Exception {
    long id =
        db.inTx(
            tx -> {
              assertThatThrownBy(() -> queue.enqueue(tx, new Unknown("y")))
                  .isInstanceOf(IllegalArgumentException.class);
              return queue.enqueue(tx, new Known("ok")).id();
            });
    assertThat(queue.find(id)).isPresent();
    assertThat(pg.queryLong("select count(*) from val.job")).isEqualTo(1);
  }

  @Test
  void aBatchNamesItsFirstBadElementAndInsertsNothing() throws Exception {
    long before = pg.queryLong("select count(*) from val.job");
    assertThatThrownBy(
            () ->
                queue.enqueueAll(
                    List.of(new Known("a"), new Unknown("b")), EnqueueOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("args[1]: unknown job kind");
    assertThatThrownBy(
            () ->
                queue.enqueueAll(List.of(new Known("a")), EnqueueOptions.defaults().uniqueKey("k")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("uniqueKey must not be set for enqueueAll");
    assertThat(pg.queryLong("select count(*) from val.job")).isEqualTo(before);
  }

  @Test
  void badBuilderSettings() {
    JobQueue.Builder b = JobQueue.builder(db);
    assertThatThrownBy(() -> b.schema("Bad-Schema"))
        .hasMessageContaining("schema must be a lower-case SQL identifier")
        .hasMessageEndingWith("was \"Bad-Schema\"");
    assertThatThrownBy(() -> b.queue("q", 0))
        .hasMessage("concurrency of queue 'q' must be between 1 and 10000, was 0");
    assertThatThrownBy(() -> b.declare("known", Known.class).declare("known", Unknown.class))
        .hasMessageContaining("kind 'known' is already registered");
    assertThatThrownBy(() -> JobQueue.builder(db).queue("q", 1).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no handler is registered");
    assertThatThrownBy(
            () -> JobQueue.builder(db).handle("k", Known.class, j -> null).build().start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("start() needs at least one queue to work");
    assertThatThrownBy(
            () -> JobQueue.builder(db).controlConnection("jdbc:mysql://localhost/test", "u", "p"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must start with jdbc:postgresql:");
  }
}
