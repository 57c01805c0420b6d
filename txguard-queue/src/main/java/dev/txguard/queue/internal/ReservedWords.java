package dev.txguard.queue.internal;

import java.util.Set;

/**
 * The key words PostgreSQL's grammar reserves, which cannot name a schema unless quoted: those of
 * {@code pg_get_keywords()} with category {@code R} (reserved) and {@code T} (reserved, can be a
 * function or type name), as listed by PostgreSQL 15 (Appendix C of its documentation). Each was
 * tried there: {@code create schema user} and {@code select ... from user.job} fail with 42601,
 * while the unreserved and column-name key words ({@code U}, {@code C}) work as schema, table and
 * function qualifiers. Newer versions may reserve more words; a name reserved only there still
 * fails as the server's syntax error. {@code system_user}, reserved since PostgreSQL 16, is in the
 * list too, so that a name that works on one server does not break on a newer one.
 */
final class ReservedWords {
  private static final Set<String> WORDS =
      Set.of(
          // catcode R
          "all",
          "analyse",
          "analyze",
          "and",
          "any",
          "array",
          "as",
          "asc",
          "asymmetric",
          "both",
          "case",
          "cast",
          "check",
          "collate",
          "column",
          "constraint",
          "create",
          "current_catalog",
          "current_date",
          "current_role",
          "current_time",
          "current_timestamp",
          "current_user",
          "default",
          "deferrable",
          "desc",
          "distinct",
          "do",
          "else",
          "end",
          "except",
          "false",
          "fetch",
          "for",
          "foreign",
          "from",
          "grant",
          "group",
          "having",
          "in",
          "initially",
          "intersect",
          "into",
          "lateral",
          "leading",
          "limit",
          "localtime",
          "localtimestamp",
          "not",
          "null",
          "offset",
          "on",
          "only",
          "or",
          "order",
          "placing",
          "primary",
          "references",
          "returning",
          "select",
          "session_user",
          "some",
          "symmetric",
          "table",
          "then",
          "to",
          "trailing",
          "true",
          "union",
          "unique",
          "user",
          "using",
          "variadic",
          "when",
          "where",
          "window",
          "with",
          // catcode T
          "authorization",
          "binary",
          "collation",
          "concurrently",
          "cross",
          "current_schema",
          "freeze",
          "full",
          "ilike",
          "inner",
          "is",
          "isnull",
          "join",
          "left",
          "like",
          "natural",
          "notnull",
          "outer",
          "overlaps",
          "right",
          "similar",
          "tablesample",
          "verbose",
          // catcode R since PostgreSQL 16
          "system_user");

  private ReservedWords() {}

  /** Whether {@code word} (lower case) is reserved. */
  static boolean contains(String word) {
    return WORDS.contains(word);
  }
}
