package org.hpcs.common.api;

import java.time.Instant;

/**
 * The identities issued to an enrolled node.
 *
 * @param nodeSpiffeId the SPIFFE ID of the node agent, {@code spiffe://<td>/hpcs/node/<node>}
 * @param spireAgentSpiffeId the alias SPIFFE ID of the node's SPIRE agent
 * @param spireAgentJoinToken a one-time SPIRE join token for the node's SPIRE agent (a secret)
 * @param joinTokenExpiresAt after this instant SPIRE rejects the join token
 * @param trustDomain the SPIFFE trust domain
 */
public record EnrolResponse(
    String nodeSpiffeId,
    String spireAgentSpiffeId,
    String spireAgentJoinToken,
    Instant joinTokenExpiresAt,
    String trustDomain) {
  @Override
  public String toString() {
    return "EnrolResponse[nodeSpiffeId=" + nodeSpiffeId + ", trustDomain=" + trustDomain + "]";
  }
}
