package org.hpcs.common.api;

import java.time.Instant;
import java.util.Map;

/**
 * A single-use attestation challenge.
 *
 * @param challengeId the identifier to quote in {@link EnrolRequest}
 * @param nonce base64 of the server nonce
 * @param expiresAt after this instant the challenge is rejected
 * @param parameters attestor-specific values from an earlier round of a multi-round attestor, for
 *     example a TPM credential blob; empty for a first round
 */
public record ChallengeResponse(
    String challengeId, String nonce, Instant expiresAt, Map<String, String> parameters) {
  /** Copies the parameters; a missing map (from an older server) becomes an empty one. */
  public ChallengeResponse {
    parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
  }
}
