package org.hpcs.attest;

import java.util.Optional;

/**
 * A verifier that needs more than one round trip. The first evidence from the node is a claim, for
 * example a TPM's certificates and public keys. From it the verifier derives a follow-up challenge
 * that only the genuine node can respond to, for example a credential encrypted to the TPM's
 * endorsement key. The server runs the exchange like this:
 *
 * <pre>{@code
 * Challenge current = stored challenge for challengeId;
 * if (verifier instanceof MultiRoundVerifier m) {
 *   Optional<Challenge> next = m.followUp(current, evidence);
 *   if (next.isPresent()) {
 *     store next under challengeId, replacing current;
 *     send next.nonce() and next.parameters() to the node, which calls attest(next) again;
 *     return;
 *   }
 * }
 * AttestedNode node = verifier.verify(current, evidence);
 * }</pre>
 *
 * <p>The node side needs no new interface: {@link NodeAttestor#attest(Challenge)} sees the
 * follow-up's parameters and answers the second round. Servers should still bound the number of
 * rounds per challenge; the verifiers in this module never ask for more than one follow-up.
 */
public interface MultiRoundVerifier extends EvidenceVerifier {
  /**
   * Checks a claim and derives the next challenge, or returns empty when the evidence answers
   * {@code challenge} completely and {@link #verify} should decide.
   *
   * @param challenge the challenge the evidence answers
   * @param evidence the node's evidence for that challenge
   * @return the follow-up challenge, carrying a fresh nonce, an issue time and its parameters
   * @throws AttestationException when the claim is already unacceptable, with a distinct reason
   */
  Optional<Challenge> followUp(Challenge challenge, Evidence evidence) throws AttestationException;
}
