/**
 * txguard's transaction runtime. Its API is the package {@code dev.txguard}; the package {@code
 * dev.txguard.internal} is the implementation, exported only to txguard's own modules.
 */
@SuppressWarnings({
  "module",
  "requires-automatic",
  "requires-transitive-automatic"
}) // "module": sibling modules compile later
module dev.txguard {
  requires transitive java.sql;
  requires com.zaxxer.hikari;
  requires org.slf4j;
  requires org.postgresql.jdbc;
  requires static org.mariadb.jdbc;

  exports dev.txguard;
  exports dev.txguard.internal to
      dev.txguard.queue,
      dev.txguard.micrometer;
}
