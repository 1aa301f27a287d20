package org.hpcs.attest.jointoken;

import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import org.hpcs.attest.AttestationException;
import org.hpcs.attest.AttestedNode;
import org.hpcs.attest.Challenge;
import org.hpcs.attest.Evidence;
import org.hpcs.attest.EvidenceVerifier;

/** Server side of the join-token attestor. */
final class JoinTokenVerifier implements EvidenceVerifier {
  private final JoinTokenStore store;
  private final Clock clock;

  JoinTokenVerifier(JoinTokenStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  @Override
  public String name() {
    return JoinTokenProvider.NAME;
  }

  @Override
  public AttestedNode verify(Challenge challenge, Evidence evidence) throws AttestationException {
    String node = challenge.nodeName();
    if (!JoinTokenProvider.NAME.equals(evidence.attestor())) {
      throw new AttestationException(
          "evidence-malformed",
          "evidence for node "
              + node
              + " comes from attestor '"
              + evidence.attestor()
              + "', expected join-token");
    }
    String token = field(evidence, "token", node);
    byte[] proof = decodeProof(field(evidence, "proof", node), node);
    if (token.length() > JoinTokens.MAX_TOKEN_CHARS) {
      throw new AttestationException(
          "evidence-malformed", "join token for node " + node + " is longer than the maximum");
    }

    // The proof binds the token to this challenge, so evidence captured for another nonce fails.
    byte[] expected = JoinTokens.proof(token, challenge.nonce(), node);
    if (!MessageDigest.isEqual(expected, proof)) {
      throw new AttestationException(
          "proof-mismatch",
          "join-token proof for node "
              + node
              + " does not match the challenge nonce: request a"
              + " new challenge and answer it once");
    }

    JoinTokenStore.Outcome outcome =
        store.consume(JoinTokens.sha256Hex(token), node, clock.instant());
    return switch (outcome) {
      case CONSUMED -> new AttestedNode(node, JoinTokenProvider.NAME, Map.of());
      case UNKNOWN ->
          throw new AttestationException(
              "token-unknown",
              "join token presented by node " + node + " is unknown: ask an admin for a new one");
      case ALREADY_USED ->
          throw new AttestationException(
              "token-replayed",
              "join token presented by node "
                  + node
                  + " was already used: ask an admin for a"
                  + " new one");
      case EXPIRED ->
          throw new AttestationException(
              "token-expired",
              "join token presented by node " + node + " has expired: ask an admin for a new one");
      case WRONG_NODE ->
          throw new AttestationException(
              "token-node-mismatch",
              "join token presented by node " + node + " was issued for another node");
    };
  }

  private static String field(Evidence evidence, String key, String node)
      throws AttestationException {
    String value = evidence.fields().get(key);
    if (value == null || value.isBlank()) {
      throw new AttestationException(
          "evidence-malformed",
          "join-token evidence from node " + node + " lacks field '" + key + "'");
    }
    return value;
  }

  private static byte[] decodeProof(String text, String node) throws AttestationException {
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new AttestationException(
          "evidence-malformed", "join-token proof from node " + node + " is not base64", e);
    }
  }
}
