package dev.txguard.examples.spring;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /orders?sku=A-1&qty=2} places an order; {@code GET /orders/{id}} shows it. */
@RestController
public class OrderController {
  private final Orders orders;

  public OrderController(Orders orders) {
    this.orders = orders;
  }

  @PostMapping("/orders")
  public ResponseEntity<?> place(@RequestParam("sku") String sku, @RequestParam("qty") int qty) {
    if (qty < 1 || qty > 1000) {
      return ResponseEntity.badRequest().body("qty must be between 1 and 1000, was " + qty);
    }
    return ResponseEntity.status(HttpStatus.CREATED).body(orders.place(sku, qty));
  }

  @GetMapping("/orders/{id}")
  public ResponseEntity<Orders.Order> find(@PathVariable("id") long id) {
    return ResponseEntity.of(orders.find(id));
  }

  @ExceptionHandler(Orders.OutOfStockException.class)
  public ResponseEntity<String> outOfStock(Orders.OutOfStockException e) {
    return ResponseEntity.status(HttpStatus.CONFLICT).body(e.getMessage());
  }
}
