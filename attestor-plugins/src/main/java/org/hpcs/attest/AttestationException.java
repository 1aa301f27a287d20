package org.hpcs.attest;

import java.util.Objects;

/**
 * Attestation failed. The {@link #reason()} is a stable, machine-readable code (for example {@code
 * token-replayed}) that the server writes to its audit log; the message is for people and never
 * contains a secret.
 */
public class AttestationException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String reason;

  /** Creates the exception with a reason code and a message. */
  public AttestationException(String reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason must not be null");
  }

  /** Creates the exception with a reason code, a message and a cause. */
  public AttestationException(String reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason must not be null");
  }

  /** Returns the stable reason code. */
  public String reason() {
    return reason;
  }
}
