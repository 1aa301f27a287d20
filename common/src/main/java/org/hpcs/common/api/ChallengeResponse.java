package org.hpcs.common.api;

import java.time.Instant;

/**
 * A single-use attestation challenge.
 *
 * @param challengeId the identifier to quote in {@link EnrolRequest}
 * @param nonce base64 of the server nonce
 * @param expiresAt after this instant the challenge is rejected
 */
public record ChallengeResponse(String challengeId, String nonce, Instant expiresAt) {}
