package dev.txguard.cli.internal;

/**
 * The user asked for something that cannot run (an unreachable server, a wrong password, a schema
 * that cannot be created). The command prints the message as one line with a usage hint and exits
 * with status 2.
 */
public final class BadInvocationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception; {@code message} is shown to the user as it is. */
  public BadInvocationException(String message, Throwable cause) {
    super(message, cause);
  }
}
