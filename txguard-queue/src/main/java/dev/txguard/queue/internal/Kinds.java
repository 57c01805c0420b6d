package dev.txguard.queue.internal;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The kinds a queue knows, by name and by arguments' type. Immutable. */
public final class Kinds {
  private final Map<String, Kind> byName;
  private final Map<Class<?>, Kind> byType;

  /** Indexes {@code kinds}, whose names and types the builder has already made unique. */
  public Kinds(List<Kind> kinds) {
    this.byName = kinds.stream().collect(Collectors.toUnmodifiableMap(Kind::name, k -> k));
    this.byType = kinds.stream().collect(Collectors.toUnmodifiableMap(Kind::argsType, k -> k));
  }

  /**
   * The kind whose arguments have {@code args}' exact type.
   *
   * @throws IllegalArgumentException if {@code args} is null or of no registered kind
   */
  Kind forArgs(Object args) {
    if (args == null) {
      throw new IllegalArgumentException("args must not be null: pass the job's arguments record");
    }
    Kind kind = byType.get(args.getClass());
    if (kind == null) {
      throw new IllegalArgumentException(
          "unknown job kind: no kind is registered for args type "
              + args.getClass().getName()
              + " (registered: "
              + describe()
              + "); register it on the queue's"
              + " builder with handle(kind, type, handler), handleInTx(...) or declare(kind, type)");
    }
    return kind;
  }

  Kind byName(String name) {
    return byName.get(name);
  }

  /** The names of the kinds this process can run, sorted. */
  String[] runnableNames() {
    return byName.values().stream()
        .filter(Kind::runnable)
        .map(Kind::name)
        .sorted()
        .toArray(String[]::new);
  }

  private String describe() {
    if (byName.isEmpty()) {
      return "none";
    }
    return byName.values().stream()
        .map(k -> k.name() + "=" + k.argsType().getSimpleName())
        .sorted()
        .collect(Collectors.joining(", "));
  }
}
