package org.hpcs.agent.protocol;

/** A frame or message on the agent socket violates the protocol; the message says how. */
public final class ProtocolException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that names the offending part of the frame. */
  public ProtocolException(String message) {
    super(message);
  }

  /** Creates the exception with a message and the underlying cause. */
  public ProtocolException(String message, Throwable cause) {
    super(message, cause);
  }
}
