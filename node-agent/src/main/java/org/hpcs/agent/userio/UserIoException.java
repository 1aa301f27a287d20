package org.hpcs.agent.userio;

/**
 * The node agent could not take on, or give back, a job user's file-system rights. The agent never
 * opens a user-named path as root instead.
 */
public final class UserIoException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that names the user and the step that failed. */
  public UserIoException(String message) {
    super(message);
  }

  /** Creates the exception with a message and the cause. */
  public UserIoException(String message, Throwable cause) {
    super(message, cause);
  }
}
