package org.hpcs.common.api;

import java.time.Instant;

/**
 * A single-use HPCS join token. The server keeps only its SHA-256 hash.
 *
 * @param node the node the token is bound to
 * @param token the token value (a secret)
 * @param expiresAt after this instant the token is rejected
 */
public record JoinTokenResponse(String node, String token, Instant expiresAt) {
  @Override
  public String toString() {
    return "JoinTokenResponse[node=" + node + ", expiresAt=" + expiresAt + "]";
  }
}
