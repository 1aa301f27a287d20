package org.hpcs.agent.server;

/**
 * A call to the HPCS server failed. The message names the endpoint and the HTTP status; when the
 * server answered, {@link #status()} and {@link #error()} carry its status and error code.
 */
public final class ServerException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String error;

  /** Creates the exception for a failure before any answer from the server. */
  public ServerException(String message) {
    this(message, null);
  }

  /** Creates the exception for a failure before any answer from the server, with the cause. */
  public ServerException(String message, Throwable cause) {
    super(message, cause);
    this.status = 0;
    this.error = "";
  }

  /** Creates the exception for an error answer of the server. */
  public ServerException(int status, String error, String message) {
    super(message);
    this.status = status;
    this.error = error == null ? "" : error;
  }

  /** Returns the HTTP status of the server's answer, or 0 when none arrived. */
  public int status() {
    return status;
  }

  /** Returns the server's error code, such as {@code grant-missing}, or "" when none arrived. */
  public String error() {
    return error;
  }
}
