package dev.txguard.examples.spring;

import dev.txguard.Transactions;
import dev.txguard.queue.JobQueue;
import dev.txguard.spring.TxRetry;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;

/** Places orders: a plain @Transactional service over JdbcTemplate, as most Spring services are. */
@Service
public class Orders {
  /** An order as the API shows it. */
  public record Order(long id, String sku, int qty, String status) {}

  /** The confirmation job's arguments. */
  public record ConfirmOrder(long orderId) {}

  private final JdbcTemplate jdbc;
  private final JobQueue queue;
  private final Audit audit;

  public Orders(JdbcTemplate jdbc, JobQueue queue, Audit audit) {
    this.jdbc = jdbc;
    this.queue = queue;
    this.audit = audit;
  }

  /**
   * Takes the stock and records the order; the confirmation job is enqueued in the same
   * transaction, so it exists if and only if the order does. Serializable and retried whole on
   * conflicts (40001) by @TxRetry.
   *
   * @throws OutOfStockException when the stock is short (nothing is written but the audit line)
   */
  @TxRetry
  @Transactional(isolation = Isolation.SERIALIZABLE, timeout = 5)
  public Order place(String sku, int qty) {
    audit.record("place " + qty + " x " + sku); // REQUIRES_NEW: kept even if this order fails
    int changed =
        jdbc.update("update stock set qty = qty - ? where sku = ? and qty >= ?", qty, sku, qty);
    if (changed == 0) {
      throw new OutOfStockException(sku, qty);
    }
    Long id =
        jdbc.queryForObject(
            "insert into orders(sku, qty, status) values (?, ?, 'placed') returning id",
            Long.class,
            sku,
            qty);
    queue.enqueue(Transactions.current().orElseThrow(), new ConfirmOrder(id));
    return new Order(id, sku, qty, "placed");
  }

  @Transactional(readOnly = true)
  public Optional<Order> find(long id) {
    return jdbc
        .query(
            "select id, sku, qty, status from orders where id = ?",
            (rs, n) -> new Order(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getString(4)),
            id)
        .stream()
        .findFirst();
  }

  /** The stock is short. */
  public static final class OutOfStockException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    OutOfStockException(String sku, int qty) {
      super("not enough stock of " + sku + " for " + qty);
    }
  }
}
