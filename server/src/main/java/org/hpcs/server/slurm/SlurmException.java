package org.hpcs.server.slurm;

/** Slurm could not be asked about a job. */
public class SlurmException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message. */
  public SlurmException(String message) {
    super(message);
  }

  /** Creates the exception with a message and its cause. */
  public SlurmException(String message, Throwable cause) {
    super(message, cause);
  }
}
