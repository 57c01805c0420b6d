package dev.txguard.dashboard.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.javalin.http.Context;

/**
 * The API's JSON: instants as ISO-8601 text, durations as milliseconds, optionals as their value or
 * null. Written by the dashboard itself, so a host application's JSON mapper does not matter.
 */
final class Json {
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new Jdk8Module())
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
          .disable(SerializationFeature.WRITE_DATE_TIMESTAMPS_AS_NANOSECONDS);

  private Json() {}

  static void send(Context ctx, Object value) {
    try {
      ctx.contentType("application/json; charset=utf-8").result(MAPPER.writeValueAsString(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the API's JSON", e);
    }
  }

  static ObjectMapper mapper() {
    return MAPPER;
  }
}
