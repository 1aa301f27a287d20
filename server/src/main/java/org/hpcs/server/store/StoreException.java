package org.hpcs.server.store;

/**
 * The database failed. Unchecked because no caller can recover from it; the HTTP layer answers 503
 * and logs the cause, which never contains a secret (statements use bind parameters).
 */
public class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message and its cause. */
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Creates the exception with a message. */
  public StoreException(String message) {
    super(message);
  }
}
