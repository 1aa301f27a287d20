package org.hpcs.agent.enrol;

/** Enrolling the node at the HPCS server failed; the message says which step and why. */
public final class EnrolmentException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public EnrolmentException(String message) {
    super(message);
  }

  /** Creates the exception with the cause. */
  public EnrolmentException(String message, Throwable cause) {
    super(message, cause);
  }
}
