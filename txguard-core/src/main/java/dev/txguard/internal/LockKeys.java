package dev.txguard.internal;

import dev.txguard.AdvisoryLocks;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.regex.Pattern;

/** Maps lock keys into txguard's advisory-lock namespace, and checks SQL identifiers. */
public final class LockKeys {
  private static final Pattern IDENTIFIER =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*)?");

  private LockKeys() {}

  /**
   * The second key of the two-key advisory lock for {@code key}: a 64-bit FNV-1a hash of the key's
   * type tag and value, folded to 32 bits. Stable across JVMs and releases, so processes agree.
   *
   * @throws IllegalArgumentException unless {@code key} is a String, Long or Integer
   */
  public static int id(Object key) {
    byte[] bytes;
    if (key instanceof String s) {
      bytes = ("s:" + s).getBytes(StandardCharsets.UTF_8);
    } else if (key instanceof Long || key instanceof Integer) {
      bytes = ("l:" + ((Number) key).longValue()).getBytes(StandardCharsets.UTF_8);
    } else {
      throw new IllegalArgumentException(
          "lock key must be a String or a Long, was "
              + (key == null ? "null" : key.getClass().getName() + " " + key));
    }
    long h = 0xcbf29ce484222325L;
    for (byte b : bytes) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return (int) (h ^ (h >>> 32));
  }

  /** The namespace (first key) of every txguard advisory lock. */
  public static int namespace() {
    return AdvisoryLocks.NAMESPACE;
  }

  /** The keys' ids, sorted ascending and without duplicates: the one global locking order. */
  static Integer[] sortedIds(Collection<?> keys) {
    if (keys == null) {
      throw new IllegalArgumentException("keys must not be null");
    }
    return keys.stream().map(LockKeys::id).distinct().sorted().toArray(Integer[]::new);
  }

  /** How a key appears in messages. */
  public static String describe(Object key) {
    return key instanceof String s ? "'" + s + "'" : String.valueOf(key);
  }

  /**
   * Returns {@code name} if it is a plain or schema-qualified SQL identifier.
   *
   * @throws IllegalArgumentException otherwise, naming {@code what}
   */
  static String identifier(String what, String name) {
    if (name == null || !IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException(
          what + " must be an SQL identifier like name or schema.name, was " + name);
    }
    return name;
  }
}
