package org.hpcs.common.api;

/**
 * A call to the HPCS server failed: the server answered with an error, or it could not be reached.
 */
public class HpcsApiException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String error;

  /** Creates the exception for an error response. */
  public HpcsApiException(int status, String error, String message) {
    super(message);
    this.status = status;
    this.error = error;
  }

  /** Creates the exception for a transport failure; the status is 0. */
  public HpcsApiException(String message, Throwable cause) {
    super(message, cause);
    this.status = 0;
    this.error = "transport";
  }

  /** Returns the HTTP status, or 0 when no response arrived. */
  public int status() {
    return status;
  }

  /** Returns the server's error code, such as {@code grant-not-found}. */
  public String error() {
    return error;
  }
}
