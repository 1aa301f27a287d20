package org.hpcs.server.spire;

/** A SPIRE server administration call failed. The message never contains a join token. */
public class SpireException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message. */
  public SpireException(String message) {
    super(message);
  }

  /** Creates the exception with a message and its cause. */
  public SpireException(String message, Throwable cause) {
    super(message, cause);
  }
}
