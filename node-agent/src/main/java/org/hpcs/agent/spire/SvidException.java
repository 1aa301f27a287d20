package org.hpcs.agent.spire;

/** The node's SVID could not be obtained; the message names the SPIFFE ID and the socket. */
public final class SvidException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public SvidException(String message) {
    super(message);
  }

  /** Creates the exception with the cause. */
  public SvidException(String message, Throwable cause) {
    super(message, cause);
  }
}
