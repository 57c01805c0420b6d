package dev.txguard.queue.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.txguard.queue.JobError;
import dev.txguard.queue.NonRetryableJobException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Arguments, results and recorded errors to and from JSON. Thread-safe. */
final class JsonCodec {
  private static final TypeReference<List<Map<String, Object>>> ERRORS = new TypeReference<>() {};

  /** Why a string holding U+0000 cannot be stored. */
  static final String NUL_REASON =
      "it contains the character U+0000 (NUL), which PostgreSQL cannot store in" + " text or jsonb";

  private final ObjectMapper mapper;

  /**
   * One reader per arguments type, for the read-back check of every enqueue and the decoding of
   * every attempt's arguments: an {@code ObjectReader} holds its type's resolved root deserializer,
   * where {@code mapper.readValue(json, type)} looks the type and its deserializer up again on each
   * call (a measurable share of an enqueue's CPU, BENCHMARKS.md, "Queue: enqueue throttling,
   * session 6").
   */
  private final Map<Class<?>, ObjectReader> argsReaders = new ConcurrentHashMap<>();

  JsonCodec(ObjectMapper mapper) {
    this.mapper = sharedBuffers(mapper);
  }

  /**
   * A copy of {@code mapper} (same configuration and modules) whose parsers and generators take
   * their buffers from one shared pool. Jackson's default pool keeps them per thread, and every job
   * runs on a virtual thread of its own, so each job would allocate fresh buffers (and a
   * thread-local soft reference to them): the largest JVM cost per job in the queue benchmark's
   * profile. A mapper that cannot be copied (a subclass without {@code copy()}) is used as it is.
   */
  private static ObjectMapper sharedBuffers(ObjectMapper mapper) {
    try {
      ObjectMapper copy = mapper.copy();
      copy.getFactory().setRecyclerPool(JsonRecyclerPools.sharedConcurrentDequePool());
      return copy;
    } catch (RuntimeException e) {
      return mapper;
    }
  }

  /**
   * Serializes {@code args} and reads the JSON back into the kind's type, so that arguments a
   * worker could not read fail here, at enqueue.
   *
   * @throws IllegalArgumentException naming the kind and type if either direction fails, or if the
   *     JSON holds U+0000, which jsonb cannot store, or an unpaired UTF-16 surrogate, which the
   *     driver would send as '?' (the message says where: a path like {@code $.items[2].name})
   */
  String encodeArgs(Kind kind, Object args) {
    String json;
    try {
      json = mapper.writeValueAsString(args);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new IllegalArgumentException(
          argsOf(kind) + " cannot be serialised to JSON: " + firstLine(e), e);
    }
    try {
      argsReader(kind).readValue(json);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new IllegalArgumentException(
          argsOf(kind)
              + " serialise to "
              + abbreviate(json)
              + " but cannot be read back, so no worker could run the job: "
              + firstLine(e),
          e);
    }
    checkStorable(kind, json);
    return json;
  }

  /** "args of job kind 'k' (type T)", how the messages of {@link #encodeArgs} begin. */
  private static String argsOf(Kind kind) {
    return "args of job kind '" + kind.name() + "' (type " + kind.argsType().getName() + ")";
  }

  private void checkStorable(Kind kind, String json) {
    String why = unstorable(json);
    if (why != null) {
      throw new IllegalArgumentException(argsOf(kind) + " cannot be enqueued: " + why);
    }
  }

  Object decodeArgs(Kind kind, String json) throws JsonProcessingException {
    return argsReader(kind).readValue(json);
  }

  private ObjectReader argsReader(Kind kind) {
    return argsReaders.computeIfAbsent(kind.argsType(), mapper::readerFor);
  }

  /**
   * The result's JSON, or null for none.
   *
   * @param job names the job in the message, e.g. {@code "job 12 (kind 'price')"}
   * @throws NonRetryableJobException if the result cannot be written as JSON or holds a character
   *     PostgreSQL cannot store: the handler ran to its end, and another attempt would only repeat
   *     its effects for a result that still could not be stored
   */
  String encodeResult(String job, Object result) {
    if (result == null) {
      return null;
    }
    String json;
    try {
      json = mapper.writeValueAsString(result);
    } catch (JsonProcessingException | RuntimeException e) {
      throw resultNotStored(job, result, "it cannot be serialised to JSON: " + firstLine(e), e);
    }
    String why = unstorable(json);
    if (why != null) {
      throw resultNotStored(job, result, why, null);
    }
    return json;
  }

  /** Why a result the database refused is not retried; see {@link #encodeResult}. */
  static NonRetryableJobException resultNotStored(
      String job, Object result, String reason, Throwable cause) {
    return new NonRetryableJobException(
        "the result of "
            + job
            + (result == null ? "" : ", of type " + result.getClass().getName())
            + ", cannot be stored: "
            + reason
            + ". The job is discarded, not retried:"
            + " its handler ran to the end, and another attempt would repeat its effects for a result that could"
            + " still not be stored",
        cause);
  }

  /**
   * Why PostgreSQL cannot store the JSON text as it is, where (a path like {@code $.items[2].name})
   * and what to do; null if it can. Costs one pass over the text when it can be stored (every
   * enqueue and every result), and parses it only when it cannot.
   */
  String unstorable(String json) {
    if (storable(json)) {
      return null;
    }
    try {
      String why = unstorable(mapper.readTree(json), "$");
      if (why != null) {
        return why;
      }
    } catch (JsonProcessingException | RuntimeException e) {
      // not our JSON after all: say what the scan found, without a path
    }
    return json.indexOf('\0') >= 0 || json.contains("\\u0000")
        ? NUL_REASON + " (at $)" + NUL_ADVICE
        : "it contains " + Checks.LONE_SURROGATE + " (at $)" + SURROGATE_ADVICE;
  }

  private static final String NUL_ADVICE = "; remove it, or encode binary data (e.g. as Base64)";

  private static final String SURROGATE_ADVICE =
      "; remove it, or cut text at character boundaries (e.g. with String.offsetByCodePoints)";

  private static String unstorable(JsonNode node, String path) {
    if (node.isTextual()) {
      return unstorable(node.textValue(), path);
    }
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        String why = unstorable(node.get(i), path + "[" + i + "]");
        if (why != null) {
          return why;
        }
      }
    } else if (node.isObject()) {
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        String why = unstorable(field.getKey(), path + " (a field name)");
        if (why == null) {
          why = unstorable(field.getValue(), path + "." + field.getKey());
        }
        if (why != null) {
          return why;
        }
      }
    }
    return null;
  }

  /** Why one string of the JSON cannot be stored, at {@code path}; null if it can. */
  private static String unstorable(String text, String path) {
    if (text.indexOf('\0') >= 0) {
      return NUL_REASON + " (at " + Bounded.message(path) + ")" + NUL_ADVICE;
    }
    int at = Checks.loneSurrogate(text);
    if (at >= 0) {
      return "it contains "
          + Checks.LONE_SURROGATE
          + " ("
          + Checks.codeUnit(text.charAt(at))
          + " at index "
          + at
          + " of the string at "
          + Bounded.message(Checks.escapeSurrogates(path))
          + ")"
          + SURROGATE_ADVICE;
    }
    return null;
  }

  /**
   * Whether PostgreSQL can store the JSON text as it is: no U+0000 and no unpaired UTF-16
   * surrogate, either raw or as a JSON escape (backslash-u-0000, backslash-u-D800 not followed by
   * an escaped low surrogate, or a lone escaped low surrogate). One pass and no allocation: every
   * enqueue pays it. Raw surrogates come from Java strings (Jackson writes them as they are, and
   * the driver's UTF-8 encoder turns a lone one into '?'); escaped ones from a mapper set to escape
   * non-ASCII (jsonb refuses a lone one).
   */
  static boolean storable(String json) {
    for (int i = 0, n = json.length(); i < n; i++) {
      char c = json.charAt(i);
      if (c > '\\' && c < Character.MIN_SURROGATE) {
        continue; // the common case: letters, digits, most punctuation, most of Unicode
      }
      if (c == '\0') {
        return false;
      }
      if (c == '\\') {
        int skip = escape(json, i);
        if (skip < 0) {
          return false;
        }
        i += skip;
      } else if (Character.isSurrogate(c)) {
        if (!Character.isHighSurrogate(c)
            || i + 1 == n
            || !Character.isLowSurrogate(json.charAt(i + 1))) {
          return false;
        }
        i++;
      }
    }
    return true;
  }

  /**
   * How many characters past the backslash at {@code i} the escape spans, or -1 if it is U+0000 or
   * an unpaired surrogate; an escaped backslash followed by {@code u0000} is text, not an escape.
   */
  private static int escape(String json, int i) {
    int unit = unicodeEscape(json, i);
    if (unit < 0) {
      return 1; // a one-character escape (or none at the end)
    }
    if (unit == 0 || Character.isLowSurrogate((char) unit)) {
      return -1;
    }
    if (!Character.isHighSurrogate((char) unit)) {
      return 5;
    }
    int low = unicodeEscape(json, i + 6);
    return low >= 0 && Character.isLowSurrogate((char) low) ? 11 : -1;
  }

  /** The code unit of the escape backslash-u-XXXX at {@code i}, or -1 if there is none. */
  private static int unicodeEscape(String json, int i) {
    if (i + 5 >= json.length() || json.charAt(i) != '\\' || json.charAt(i + 1) != 'u') {
      return -1;
    }
    int unit = 0;
    for (int k = i + 2; k < i + 6; k++) {
      int digit = Character.digit(json.charAt(k), 16);
      if (digit < 0) {
        return -1;
      }
      unit = unit * 16 + digit;
    }
    return unit;
  }

  /** The result read into {@code type}; null for a job that returned none. */
  <R> R decodeResult(String json, Class<R> type) throws JsonProcessingException {
    return json == null ? null : mapper.readValue(json, type);
  }

  List<JobError> decodeErrors(String json) {
    try {
      List<JobError> errors = new ArrayList<>();
      for (Map<String, Object> e : mapper.readValue(json, ERRORS)) {
        errors.add(
            new JobError(
                e.get("attempt") instanceof Number n ? n.intValue() : 0,
                errorInstant(e.get("at")),
                e.get("error") == null ? "" : String.valueOf(e.get("error")),
                e.get("trace") == null ? "" : String.valueOf(e.get("trace"))));
      }
      return errors;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "the job's errors column holds unreadable JSON: " + abbreviate(json), e);
    }
  }

  /** An error entry's {@code at}: null when missing or not a timestamp (rows written by others). */
  private static Instant errorInstant(Object at) {
    try {
      return at instanceof String text ? OffsetDateTime.parse(text).toInstant() : null;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  static Instant parseInstant(String text) {
    return OffsetDateTime.parse(text).toInstant();
  }

  private static String firstLine(Exception e) {
    String msg = String.valueOf(e.getMessage());
    return Bounded.message(msg.lines().findFirst().orElse(msg));
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 197) + "...";
  }
}
