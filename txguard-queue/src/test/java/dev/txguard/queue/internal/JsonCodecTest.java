package dev.txguard.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * The scan every enqueue and every result pays for text PostgreSQL cannot store (U+0000, unpaired
 * surrogates), and the messages naming where it is; without a database.
 */
class JsonCodecTest {
  static final JsonCodec CODEC = new JsonCodec(new ObjectMapper());

  @Test
  void plainTextAndSurrogatePairsAreStorable() {
    assertThat(JsonCodec.storable("{\"text\":\"plain ascii, é and 漢字\"}")).isTrue();
    assertThat(JsonCodec.storable("{\"text\":\"\uD83D\uDE00 an emoji\"}")).isTrue();
    assertThat(JsonCodec.storable("{\"text\":\"\\uD83D\\uDE00 escaped\"}")).isTrue();
    assertThat(JsonCodec.storable("{\"text\":\"\\\\u0000 and \\\\uD800 are text\"}")).isTrue();
    assertThat(JsonCodec.storable("{\"text\":\"\\u00e9 \\n \\\" \\\\\"}")).isTrue();
    assertThat(JsonCodec.storable("")).isTrue();
  }

  /** Break-it review, session 16: "\uD800abc" was stored, and given to the handler, as "?abc". */
  @Test
  void unpairedSurrogatesAndNulAreNotStorableRawOrEscaped() {
    assertThat(JsonCodec.storable("{\"text\":\"\uD800abc\"}")).isFalse();
    assertThat(JsonCodec.storable("{\"text\":\"abc\uDC00\"}")).isFalse();
    assertThat(JsonCodec.storable("\"\uD83D")).isFalse(); // a high surrogate at the very end
    assertThat(JsonCodec.storable("\"\uDE00\uD83D\"")).isFalse(); // a pair in the wrong order
    assertThat(JsonCodec.storable("{\"text\":\"\\uD800abc\"}")).isFalse();
    assertThat(JsonCodec.storable("{\"text\":\"\\uDC00\"}")).isFalse();
    assertThat(JsonCodec.storable("{\"text\":\"\\uD83D\\n\"}")).isFalse();
    assertThat(JsonCodec.storable("{\"text\":\"a\0b\"}")).isFalse();
    assertThat(JsonCodec.storable("{\"text\":\"a\\u0000b\"}")).isFalse();
  }

  @Test
  void theReasonNamesTheCodeUnitItsIndexAndThePath() {
    assertThat(CODEC.unstorable("{\"items\":[{\"name\":\"ok\"},{\"name\":\"ab\uDBFF\"}]}"))
        .isEqualTo(
            "it contains an unpaired UTF-16 surrogate (half of a character, as substring() leaves"
                + " when it cuts through an emoji), which PostgreSQL cannot store: the driver would"
                + " send '?' in its place (U+DBFF at index 2 of the string at $.items[1].name);"
                + " remove it, or cut text at character boundaries (e.g. with"
                + " String.offsetByCodePoints)");
    assertThat(CODEC.unstorable("{\"k\uDC00\":1}"))
        .contains("(U+DC00 at index 1 of the string at $ (a field name))");
    // Jackson writes U+0000 as an escape; raw, it is not JSON, and the reason has no path
    assertThat(CODEC.unstorable("{\"a\":\"x\0\"}")).contains("U+0000 (NUL)").contains("(at $)");
    assertThat(CODEC.unstorable("{\"a\":\"x\\u0000\"}"))
        .isEqualTo(
            "it contains the character U+0000 (NUL), which PostgreSQL cannot store in text or jsonb"
                + " (at $.a); remove it, or encode binary data (e.g. as Base64)");
    assertThat(CODEC.unstorable("{\"a\":\"fine\"}")).isNull();
  }

  @Test
  void textMessagesShowTheSurrogateEscaped() {
    assertThat(Checks.loneSurrogate("k\uD800")).isEqualTo(1);
    assertThat(Checks.loneSurrogate("k\uD83D\uDE00")).isEqualTo(-1);
    assertThat(Checks.escapeSurrogates("k\uD800 \uD83D\uDE00")).isEqualTo("k\\uD800 \uD83D\uDE00");
  }
}
