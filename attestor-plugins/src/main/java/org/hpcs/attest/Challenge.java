package org.hpcs.attest;

import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A server challenge for one attestation attempt: a fresh nonce, the node it is meant for, and
 * optionally the time the server issued it and attestor-specific parameters.
 *
 * <p>Parameters carry data from an earlier round of a multi-round attestor (see {@link
 * MultiRoundVerifier}), for example a TPM credential blob. They are public: the server sends the
 * nonce and every parameter to the node and keeps the whole challenge until the node answers.
 */
public final class Challenge {
  /** Minimum nonce length in bytes. */
  public static final int MIN_NONCE_BYTES = 16;

  private final byte[] nonce;
  private final String nodeName;
  private final Optional<Instant> issuedAt;
  private final Map<String, String> parameters;

  /**
   * Creates a challenge without an issue time or parameters. Verifiers that check nonce age reject
   * such a challenge, so servers should prefer {@link #Challenge(byte[], String, Instant, Map)}.
   *
   * @param nonce fresh random bytes from the server, at least {@link #MIN_NONCE_BYTES} of them
   * @param nodeName the Slurm node name that the agent claims
   */
  public Challenge(byte[] nonce, String nodeName) {
    this(nonce, nodeName, Optional.empty(), Map.of());
  }

  /**
   * Creates a challenge with the time the server issued it and attestor-specific parameters.
   *
   * @param nonce fresh random bytes from the server, at least {@link #MIN_NONCE_BYTES} of them
   * @param nodeName the Slurm node name that the agent claims
   * @param issuedAt when the server created the nonce; a server that stores the challenge and
   *     rebuilds it later must pass the original time
   * @param parameters attestor-specific values sent to the node with the nonce; empty for a first
   *     round
   */
  public Challenge(
      byte[] nonce, String nodeName, Instant issuedAt, Map<String, String> parameters) {
    this(
        nonce,
        nodeName,
        Optional.of(Objects.requireNonNull(issuedAt, "issuedAt must not be null")),
        parameters);
  }

  private Challenge(
      byte[] nonce, String nodeName, Optional<Instant> issuedAt, Map<String, String> parameters) {
    Objects.requireNonNull(nonce, "nonce must not be null");
    this.nodeName = Objects.requireNonNull(nodeName, "nodeName must not be null");
    if (nonce.length < MIN_NONCE_BYTES) {
      throw new IllegalArgumentException(
          "nonce has " + nonce.length + " bytes, at least " + MIN_NONCE_BYTES + " required");
    }
    this.nonce = nonce.clone();
    this.issuedAt = issuedAt;
    this.parameters = Map.copyOf(Objects.requireNonNull(parameters, "parameters must not be null"));
  }

  /** Returns a copy of the nonce. */
  public byte[] nonce() {
    return nonce.clone();
  }

  /** Returns the node name the challenge was issued to. */
  public String nodeName() {
    return nodeName;
  }

  /** Returns when the server issued the nonce, if the server recorded it. */
  public Optional<Instant> issuedAt() {
    return issuedAt;
  }

  /** Returns the attestor-specific parameters; empty unless an earlier round produced them. */
  public Map<String, String> parameters() {
    return parameters;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Challenge c
        && Arrays.equals(nonce, c.nonce)
        && nodeName.equals(c.nodeName)
        && issuedAt.equals(c.issuedAt)
        && parameters.equals(c.parameters);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(nonce), nodeName, issuedAt, parameters);
  }

  @Override
  public String toString() {
    return "Challenge[nodeName="
        + nodeName
        + ", nonceBytes="
        + nonce.length
        + ", issuedAt="
        + issuedAt.map(Instant::toString).orElse("unknown")
        + ", parameters="
        + parameters.keySet()
        + "]";
  }
}
