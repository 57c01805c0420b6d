package dev.txguard.queue.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.txguard.queue.JobError;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Arguments, results and recorded errors to and from JSON. Thread-safe. */
final class JsonCodec {
  private static final TypeReference<List<Map<String, Object>>> ERRORS = new TypeReference<>() {};
  private final ObjectMapper mapper;

  JsonCodec(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * Serializes {@code args} and reads the JSON back into the kind's type, so that arguments a worker
   * could not read fail here, at enqueue.
   *
   * @throws IllegalArgumentException naming the kind and type if either direction fails
   */
  String encodeArgs(Kind kind, Object args) {
    String json;
    try {
      json = mapper.writeValueAsString(args);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new IllegalArgumentException("args of job kind '" + kind.name() + "' (type " + kind.argsType().getName()
          + ") cannot be serialised to JSON: " + firstLine(e), e);
    }
    try {
      mapper.readValue(json, kind.argsType());
    } catch (JsonProcessingException | RuntimeException e) {
      throw new IllegalArgumentException("args of job kind '" + kind.name() + "' (type " + kind.argsType().getName()
          + ") serialise to " + abbreviate(json) + " but cannot be read back, so no worker could run the job: "
          + firstLine(e), e);
    }
    return json;
  }

  Object decodeArgs(Kind kind, String json) throws JsonProcessingException {
    return mapper.readValue(json, kind.argsType());
  }

  /** The result's JSON, or null for none. */
  String encodeResult(Object result) throws JsonProcessingException {
    return result == null ? null : mapper.writeValueAsString(result);
  }

  /** The result read into {@code type}; null for a job that returned none. */
  <R> R decodeResult(String json, Class<R> type) throws JsonProcessingException {
    return json == null ? null : mapper.readValue(json, type);
  }

  List<JobError> decodeErrors(String json) {
    try {
      List<JobError> errors = new ArrayList<>();
      for (Map<String, Object> e : mapper.readValue(json, ERRORS)) {
        errors.add(new JobError(((Number) e.get("attempt")).intValue(),
            OffsetDateTime.parse((String) e.get("at")).toInstant(),
            String.valueOf(e.get("error")), e.get("trace") == null ? "" : String.valueOf(e.get("trace"))));
      }
      return errors;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the job's errors column holds unreadable JSON: " + abbreviate(json), e);
    }
  }

  static Instant parseInstant(String text) {
    return OffsetDateTime.parse(text).toInstant();
  }

  private static String firstLine(Exception e) {
    String msg = String.valueOf(e.getMessage());
    return msg.lines().findFirst().orElse(msg);
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 197) + "...";
  }
}
