package org.hpcs.agent.job;

/**
 * A stage of the secured-job pipeline failed. The message is shown to the job's user, so it names
 * what failed, on which job and node, and what to do, and never contains a secret.
 */
public final class PipelineException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message for the user. */
  public PipelineException(String message) {
    super(message);
  }

  /** Creates the exception with a message for the user and the cause. */
  public PipelineException(String message, Throwable cause) {
    super(message, cause);
  }
}
