package org.hpcs.server.spire;

import java.time.Instant;

/**
 * A one-time SPIRE join token.
 *
 * @param value the token (a secret)
 * @param expiresAt when SPIRE stops accepting it
 * @param aliasSpiffeId the SPIFFE ID the attesting agent is aliased to
 */
public record SpireJoinToken(String value, Instant expiresAt, String aliasSpiffeId) {
  @Override
  public String toString() {
    return "SpireJoinToken[aliasSpiffeId=" + aliasSpiffeId + ", expiresAt=" + expiresAt + "]";
  }
}
