package org.hpcs.attest;

import java.time.Instant;

/**
 * Records nonces that a verifier has accepted, so that each is accepted once. A server with several
 * replicas offers a shared implementation through {@link VerifierServices}; verifiers fall back to
 * an {@link InMemoryNonceStore} of their own when the server offers none.
 */
public interface NonceStore {
  /**
   * Marks a nonce as used, atomically.
   *
   * @param scope the attestor name, so that attestors never collide
   * @param nonce the nonce bytes
   * @param expiresAt when the record may be forgotten; the verifier rejects the nonce as too old
   *     from then on
   * @return true if the nonce was not recorded before, false if it is a replay
   */
  boolean markUsed(String scope, byte[] nonce, Instant expiresAt);
}
