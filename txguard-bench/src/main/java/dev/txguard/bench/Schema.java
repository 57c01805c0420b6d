package dev.txguard.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The fixed dataset and the statements every contender runs. Each trial recreates the tables, so no
 * contender inherits another's bloat, and ends with CHECKPOINT so that no contender pays for
 * another's dirty pages being written during its measurement.
 */
final class Schema {
  /** Accounts of the read and write units: enough rows that 8 threads rarely touch the same one. */
  static final int ACCOUNTS = 10_000;

  /** Accounts of the contention benchmark: few, so that 16 threads collide all the time. */
  static final int HOT_ACCOUNTS = 10;

  static final long HOT_INITIAL_BALANCE = 1_000_000;

  static final String READ = "select balance from bench_account where id = ?";
  static final String DEBIT = "update bench_account set balance = balance - ? where id = ?";
  static final String CREDIT = "update bench_account set balance = balance + ? where id = ?";
  static final String LOG = "insert into bench_transfer(from_id, to_id, amount) values (?, ?, ?)";

  static final String HOT_READ = "select balance from bench_hot_account where id = ?";
  static final String HOT_ADD = "update bench_hot_account set balance = balance + ? where id = ?";
  static final String HOT_SUM = "select sum(balance), count(*) from bench_hot_account";

  private static final String NO_AUTOVACUUM = " with (autovacuum_enabled = false)";

  private Schema() {}

  /** Drops and recreates every bench_ table with its initial rows. */
  static void recreate() {
    try (Connection c = DriverManager.getConnection(BenchSetup.url());
        Statement st = c.createStatement()) {
      st.execute("drop table if exists bench_account, bench_transfer, bench_hot_account");
      if (BenchSetup.url().startsWith("jdbc:mariadb:")) {
        recreateOnMariaDb(st);
        return;
      }
      // autovacuum off: a vacuum started by one contender's updates would run during the next's
      // trial
      st.execute(
          "create table bench_account(id int primary key, balance bigint not null)"
              + NO_AUTOVACUUM);
      st.execute(
          "insert into bench_account select g, 1000000 from generate_series(1, "
              + ACCOUNTS
              + ") g");
      st.execute(
          "create table bench_transfer(id bigserial primary key, from_id int not null,"
              + " to_id int not null, amount bigint not null)"
              + NO_AUTOVACUUM);
      st.execute(
          "create table bench_hot_account(id int primary key, balance bigint not null)"
              + NO_AUTOVACUUM);
      st.execute(
          "insert into bench_hot_account select g, "
              + HOT_INITIAL_BALANCE
              + " from generate_series(1, "
              + HOT_ACCOUNTS
              + ") g");
      st.execute("vacuum analyze bench_account, bench_transfer, bench_hot_account");
      st.execute("checkpoint");
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot set up the benchmark tables at "
              + BenchSetup.url()
              + " (set "
              + BenchSetup.URL_ENV
              + " to another server): "
              + e.getMessage(),
          e);
    }
  }

  /**
   * The same tables on MariaDB (InnoDB; the rows from the built-in sequence engine). There is no
   * vacuum or checkpoint to run: ANALYZE TABLE gives the optimizer its statistics, and InnoDB
   * flushes dirty pages in the background whatever is done here.
   */
  private static void recreateOnMariaDb(Statement st) throws SQLException {
    st.execute(
        "create table bench_account(id int primary key, balance bigint not null) engine=InnoDB");
    st.execute("insert into bench_account select seq, 1000000 from seq_1_to_" + ACCOUNTS);
    st.execute(
        "create table bench_transfer(id bigint auto_increment primary key, from_id int not null,"
            + " to_id int not null, amount bigint not null) engine=InnoDB");
    st.execute(
        "create table bench_hot_account(id int primary key, balance bigint not null) engine=InnoDB");
    st.execute(
        "insert into bench_hot_account select seq, "
            + HOT_INITIAL_BALANCE
            + " from seq_1_to_"
            + HOT_ACCOUNTS);
    st.execute("analyze table bench_account, bench_transfer, bench_hot_account");
  }

  /** The sum and count of the hot balances, straight from the server. */
  static long[] hotTotals() {
    try (Connection c = DriverManager.getConnection(BenchSetup.url());
        Statement st = c.createStatement();
        var rs = st.executeQuery(HOT_SUM)) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2)};
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the hot balances: " + e.getMessage(), e);
    }
  }
}
