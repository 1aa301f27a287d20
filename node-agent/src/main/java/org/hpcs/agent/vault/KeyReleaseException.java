package org.hpcs.agent.vault;

/**
 * The node agent could not read a job's bundle keys: no JWT-SVID, a Vault login or read that was
 * denied or failed, or a stored key that is not an age identity. Messages name the Vault path or
 * SPIFFE ID at fault and never contain a token, JWT or key.
 */
public final class KeyReleaseException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message. */
  public KeyReleaseException(String message) {
    super(message);
  }

  /** Creates the exception with a message and the cause. */
  public KeyReleaseException(String message, Throwable cause) {
    super(message, cause);
  }
}
