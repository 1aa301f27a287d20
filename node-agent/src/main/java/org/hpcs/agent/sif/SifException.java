package org.hpcs.agent.sif;

/** A file is not a usable SIF image. The message names the file and what is wrong. */
public class SifException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message. */
  public SifException(String message) {
    super(message);
  }

  /** Creates the exception with a message and a cause. */
  public SifException(String message, Throwable cause) {
    super(message, cause);
  }
}
