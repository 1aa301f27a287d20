package org.hpcs.client;

import java.util.List;

/**
 * A failure of an hpcs command that the user can act on. The message names what failed and the
 * value at fault, and the hints give the fix. Neither contains a secret.
 */
public final class HpcsException extends Exception {
  private final List<String> hints;

  /** Creates an exception with a message and optional hint lines. */
  public HpcsException(String message, String... hints) {
    super(message);
    this.hints = List.of(hints);
  }

  /** Creates an exception with a message, a cause and optional hint lines. */
  public HpcsException(String message, Throwable cause, String... hints) {
    super(message, cause);
    this.hints = List.of(hints);
  }

  /** Returns the hint lines printed after the error. */
  public List<String> hints() {
    return hints;
  }
}
