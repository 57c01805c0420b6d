package dev.txguard.internal.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The product-neutral reader under rules a second database would bring (MariaDB-like: statements
 * that commit implicitly, {@code #} comments, backtick identifiers, no dollar quotes): what the
 * seam promises a new dialect without touching the reader. No database needed.
 */
class SqlReaderRulesTest {
  private static final SqlRules MARIADB_LIKE =
      new SqlRules(
          Set.of("commit", "rollback", "begin", "start", "savepoint", "release", "xa"),
          Set.of("create", "alter", "drop", "rename", "truncate", "lock", "unlock"),
          Set.of(),
          Set.of("use", "reset", "flush"),
          Set.of("statement"),
          Set.of("transaction_isolation", "tx_isolation", "transaction_read_only", "autocommit"),
          Set.of("get_lock", "release_lock", "release_all_locks", "temporary"),
          List.of("@@session"),
          List.of("get_lock", "release_lock", "temporary"),
          false,
          false,
          true,
          true,
          false,
          false,
          Set.of(),
          Set.of(),
          false,
          true,
          false);

  private final SqlReader reader = new SqlReader(MARIADB_LIKE);

  @Test
  void statementsThatCommitImplicitlyAreRefusedAsControl() {
    assertThat(reader.verdict("CREATE TABLE t (a int)").control())
        .isEqualTo("CREATE, which commits implicitly,");
    assertThat(reader.verdict("insert into t values (1); truncate t").control())
        .startsWith("TRUNCATE");
    assertThat(reader.verdict("select 'create table x'").clean()).isTrue();
  }

  @Test
  void hashCommentsAndBackticksAreSkipped() {
    assertThat(reader.verdict("select 1 # commit\n").clean()).isTrue();
    assertThat(reader.verdict("select `commit` from t").clean()).isTrue();
    assertThat(reader.verdict("select 1; # note\ncommit").control()).isEqualTo("COMMIT");
  }

  @Test
  void withoutDollarQuotesADollarIsAnOrdinaryCharacter() {
    assertThat(reader.verdict("select $$; commit; $$").control()).isEqualTo("COMMIT");
  }

  @Test
  void sessionChangesFollowTheRules() {
    assertThat(reader.verdict("select get_lock('x', 1)").session()).isTrue();
    assertThat(reader.verdict("set autocommit = 1").control()).isEqualTo("SET autocommit");
    assertThat(reader.verdict("set names utf8mb4").session()).isTrue();
    assertThat(reader.verdict("set statement max_statement_time=1 for select 1").clean()).isTrue();
    assertThat(reader.verdict("use other_db").session()).isTrue();
  }
}
