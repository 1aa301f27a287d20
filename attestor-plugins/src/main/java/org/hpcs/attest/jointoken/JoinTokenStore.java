package org.hpcs.attest.jointoken;

import java.time.Instant;

/**
 * Server-side store of join-token hashes, offered to the verifier through {@link
 * org.hpcs.attest.VerifierServices}. The server's database implements it.
 */
public interface JoinTokenStore {
  /** The result of an attempt to use a token. */
  enum Outcome {
    /** The token was live and bound to the node; it is now used up. */
    CONSUMED,
    /** No token with this hash exists. */
    UNKNOWN,
    /** The token was used before. */
    ALREADY_USED,
    /** The token expired. */
    EXPIRED,
    /** The token is bound to another node; it stays unused. */
    WRONG_NODE
  }

  /**
   * Atomically marks the token used if it is live and bound to {@code nodeName}. At most one caller
   * ever sees {@link Outcome#CONSUMED} for a token.
   *
   * @param tokenSha256Hex lower-case hex SHA-256 of the token text
   * @param nodeName the node presenting the token
   * @param now the time of the attempt
   */
  Outcome consume(String tokenSha256Hex, String nodeName, Instant now);
}
