package org.hpcs.agent.mount;

/**
 * A per-job mount could not be checked, created, filled or removed. Messages name the path or tool
 * at fault and the fix; they never contain a password or plaintext.
 */
public class MountException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message. */
  public MountException(String message) {
    super(message);
  }

  /** Creates the exception with a message and a cause. */
  public MountException(String message, Throwable cause) {
    super(message, cause);
  }
}
