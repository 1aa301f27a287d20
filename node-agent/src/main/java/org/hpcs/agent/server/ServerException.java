package org.hpcs.agent.server;

/** A call to the HPCS server failed; the message names the endpoint and the HTTP status. */
public final class ServerException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message. */
  public ServerException(String message) {
    super(message);
  }

  /** Creates the exception with a message and the cause. */
  public ServerException(String message, Throwable cause) {
    super(message, cause);
  }
}
