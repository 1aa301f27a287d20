package org.hpcs.agent.spire;

/** An HCL file could not be parsed; the message names the line. */
public final class HclException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public HclException(String message) {
    super(message);
  }
}
