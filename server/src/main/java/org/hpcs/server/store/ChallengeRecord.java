package org.hpcs.server.store;

import java.time.Instant;
import java.util.Map;

/**
 * An issued attestation challenge: a first-round challenge, or the follow-up challenge that a
 * multi-round verifier derived from the previous round's evidence.
 *
 * @param id the challenge identifier
 * @param node the node it was issued to
 * @param attestor the attestor named in the request
 * @param nonce the nonce bytes
 * @param issuedAt when the nonce was created; verifiers that bound nonce age check it
 * @param parameters attestor-specific values of a follow-up challenge, empty for round 1
 * @param round the round number, 1 for the challenge from {@code POST /v1/nodes/challenge}
 * @param expiresAt the end of its validity
 */
// The bytes are read once and never shared beyond the request, so no defensive copy.
@SuppressWarnings("ArrayRecordComponent")
public record ChallengeRecord(
    String id,
    String node,
    String attestor,
    byte[] nonce,
    Instant issuedAt,
    Map<String, String> parameters,
    int round,
    Instant expiresAt) {
  /** Copies the parameters. */
  public ChallengeRecord {
    parameters = Map.copyOf(parameters);
  }
}
