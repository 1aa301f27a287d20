package org.hpcs.server.store;

import java.time.Instant;

/**
 * An issued attestation challenge.
 *
 * @param id the challenge identifier
 * @param node the node it was issued to
 * @param attestor the attestor named in the request
 * @param nonce the nonce bytes
 * @param expiresAt the end of its validity
 */
// The bytes are read once and never shared beyond the request, so no defensive copy.
@SuppressWarnings("ArrayRecordComponent")
public record ChallengeRecord(
    String id, String node, String attestor, byte[] nonce, Instant expiresAt) {}
