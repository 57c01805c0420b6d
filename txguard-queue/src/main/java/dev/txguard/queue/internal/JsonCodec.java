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
   *     JSON holds U+0000, which jsonb cannot store
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
    checkNoNul(kind, json);
    return json;
  }

  /** "args of job kind 'k' (type T)", how the messages of {@link #encodeArgs} begin. */
  private static String argsOf(Kind kind) {
    return "args of job kind '" + kind.name() + "' (type " + kind.argsType().getName() + ")";
  }

  private void checkNoNul(Kind kind, String json) {
    String nul = nulPath(json);
    if (nul != null) {
      throw new IllegalArgumentException(
          argsOf(kind)
              + " cannot be enqueued: "
              + NUL_REASON
              + " (at "
              + Bounded.message(nul)
              + "); remove it, or encode binary data (e.g."
              + " as Base64)");
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
    String nul = nulPath(json);
    if (nul != null) {
      throw resultNotStored(job, result, NUL_REASON + " (at " + Bounded.message(nul) + ")", null);
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
   * Where a JSON text holds the character U+0000 (raw, or as the JSON escape backslash-u-0000), as
   * a path like {@code $.items[2].name}; null if it holds none.
   */
  String nulPath(String json) {
    if (!containsNul(json)) {
      return null;
    }
    try {
      String path = nulPath(mapper.readTree(json), "$");
      return path != null ? path : "$";
    } catch (JsonProcessingException | RuntimeException e) {
      return "$";
    }
  }

  private static String nulPath(JsonNode node, String path) {
    if (node.isTextual()) {
      return node.textValue().indexOf('\0') >= 0 ? path : null;
    }
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        String p = nulPath(node.get(i), path + "[" + i + "]");
        if (p != null) {
          return p;
        }
      }
    } else if (node.isObject()) {
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        String p =
            field.getKey().indexOf('\0') >= 0
                ? path + " (a field name)"
                : nulPath(field.getValue(), path + "." + field.getKey());
        if (p != null) {
          return p;
        }
      }
    }
    return null;
  }

  /**
   * Whether the JSON text holds U+0000, raw or as the JSON escape backslash-u-0000 (an escaped
   * backslash followed by {@code u0000} is text, not the escape).
   */
  static boolean containsNul(String json) {
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (c == '\0') {
        return true;
      }
      if (c == '\\' && i + 1 < json.length()) {
        if (json.startsWith("u0000", i + 1)) {
          return true;
        }
        i++; // skip the escaped character, so that an escaped backslash is not read as an escape
      }
    }
    return false;
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
