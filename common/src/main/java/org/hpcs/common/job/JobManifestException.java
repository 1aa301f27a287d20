package org.hpcs.common.job;

/** A job manifest is invalid: too large, not JSON, or a field is unknown, missing or bad. */
public final class JobManifestException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Creates an exception whose message names the file, the field at fault and the fix. */
  public JobManifestException(String message) {
    super(message);
  }

  /** Creates an exception with a message and the cause. */
  public JobManifestException(String message, Throwable cause) {
    super(message, cause);
  }
}
