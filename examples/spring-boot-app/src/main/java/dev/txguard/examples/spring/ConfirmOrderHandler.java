package dev.txguard.examples.spring;

import dev.txguard.Tx;
import dev.txguard.queue.JobContext;
import dev.txguard.queue.TransactionalHandler;
import dev.txguard.spring.JobKind;
import org.springframework.stereotype.Component;

/** Confirms an order; the update and the job's completion commit together. */
@Component
@JobKind("confirm-order")
public class ConfirmOrderHandler implements TransactionalHandler<Orders.ConfirmOrder> {
  @Override
  public Object handle(Tx tx, JobContext<Orders.ConfirmOrder> job) {
    tx.updateExactly(
        1,
        "update orders set status = 'confirmed' where id = ? and status = 'placed'",
        job.args().orderId());
    return null;
  }
}
