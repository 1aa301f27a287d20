package org.hpcs.common.api;

import java.time.Instant;

/**
 * The server's response to evidence: either the identities issued to the enrolled node, or a
 * follow-up challenge when the attestor needs another round.
 *
 * @param nodeSpiffeId the SPIFFE ID of the node agent, {@code spiffe://<td>/hpcs/node/<node>}; null
 *     while a follow-up is pending
 * @param spireAgentSpiffeId the alias SPIFFE ID of the node's SPIRE agent; null while a follow-up
 *     is pending
 * @param spireAgentJoinToken a one-time SPIRE join token for the node's SPIRE agent (a secret);
 *     null while a follow-up is pending
 * @param joinTokenExpiresAt after this instant SPIRE rejects the join token
 * @param trustDomain the SPIFFE trust domain
 * @param followUp the next challenge to respond to with {@code POST /v1/nodes/enrol}, or null when
 *     the node is enrolled
 */
public record EnrolResponse(
    String nodeSpiffeId,
    String spireAgentSpiffeId,
    String spireAgentJoinToken,
    Instant joinTokenExpiresAt,
    String trustDomain,
    ChallengeResponse followUp) {
  /** Creates the response for an enrolled node. */
  public static EnrolResponse enrolled(
      String nodeSpiffeId,
      String spireAgentSpiffeId,
      String spireAgentJoinToken,
      Instant joinTokenExpiresAt,
      String trustDomain) {
    return new EnrolResponse(
        nodeSpiffeId,
        spireAgentSpiffeId,
        spireAgentJoinToken,
        joinTokenExpiresAt,
        trustDomain,
        null);
  }

  /** Creates the response that requests another round from the node. */
  public static EnrolResponse followUp(ChallengeResponse next, String trustDomain) {
    return new EnrolResponse(null, null, null, null, trustDomain, next);
  }

  @Override
  public String toString() {
    return "EnrolResponse[nodeSpiffeId="
        + nodeSpiffeId
        + ", trustDomain="
        + trustDomain
        + ", followUp="
        + (followUp == null ? "none" : followUp.challengeId())
        + "]";
  }
}
