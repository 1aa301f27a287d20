package org.hpcs.server.store;

import java.time.Instant;

/**
 * A node known to the server.
 *
 * @param name the Slurm node name
 * @param spiffeId the node agent's SPIFFE ID
 * @param attestor the attestor of the latest enrolment
 * @param status "enrolled", "revoked", or "reinstated" (revocation lifted, must enrol again before
 *     its calls are accepted)
 * @param enrolledAt the latest enrolment
 * @param revokedAt when an admin revoked the node, null while it is trusted
 */
public record NodeRecord(
    String name,
    String spiffeId,
    String attestor,
    String status,
    Instant enrolledAt,
    Instant revokedAt) {
  /** Returns true while the node is enrolled and not revoked. */
  public boolean trusted() {
    return "enrolled".equals(status);
  }

  /** Returns true once an admin revoked the node and until the revocation is lifted. */
  public boolean revoked() {
    return "revoked".equals(status);
  }
}
