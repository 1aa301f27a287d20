package org.hpcs.attest;

import java.util.Arrays;
import java.util.Objects;

/** A server challenge for one attestation attempt: a fresh nonce and the node it is meant for. */
public final class Challenge {
  /** Minimum nonce length in bytes. */
  public static final int MIN_NONCE_BYTES = 16;

  private final byte[] nonce;
  private final String nodeName;

  /**
   * Creates a challenge.
   *
   * @param nonce fresh random bytes from the server, at least {@link #MIN_NONCE_BYTES} of them
   * @param nodeName the Slurm node name that the agent claims
   */
  public Challenge(byte[] nonce, String nodeName) {
    Objects.requireNonNull(nonce, "nonce must not be null");
    this.nodeName = Objects.requireNonNull(nodeName, "nodeName must not be null");
    if (nonce.length < MIN_NONCE_BYTES) {
      throw new IllegalArgumentException(
          "nonce has " + nonce.length + " bytes, at least " + MIN_NONCE_BYTES + " required");
    }
    this.nonce = nonce.clone();
  }

  /** Returns a copy of the nonce. */
  public byte[] nonce() {
    return nonce.clone();
  }

  /** Returns the node name the challenge was issued to. */
  public String nodeName() {
    return nodeName;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Challenge c
        && Arrays.equals(nonce, c.nonce)
        && nodeName.equals(c.nodeName);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(nonce) + nodeName.hashCode();
  }

  @Override
  public String toString() {
    return "Challenge[nodeName=" + nodeName + ", nonceBytes=" + nonce.length + "]";
  }
}
