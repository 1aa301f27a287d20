package org.hpcs.agent.runtime;

/**
 * A container could not be prepared or its image was rejected. Messages name the image, path or
 * variable at fault and the fix; they never contain a secret.
 */
public class ContainerException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message. */
  public ContainerException(String message) {
    super(message);
  }

  /** Creates the exception with a message and a cause. */
  public ContainerException(String message, Throwable cause) {
    super(message, cause);
  }
}
