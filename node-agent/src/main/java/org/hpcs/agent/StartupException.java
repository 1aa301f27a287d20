package org.hpcs.agent;

/** The node agent could not start; the message names the failing part and what to do. */
public final class StartupException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with the cause. */
  public StartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
