package org.hpcs.server.service;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.hpcs.common.api.Grant;

/** Decides whether a user's grants of a bundle cover a job, and why not. */
final class GrantCheck {
  private GrantCheck() {}

  /**
   * Returns empty when one grant is live and covers the partition and every node; otherwise the
   * reason code of the closest grant: missing, revoked, expired, partition or node.
   */
  static Optional<String> denial(
      List<Grant> grants, String partition, List<String> nodes, Instant now) {
    if (grants.isEmpty()) {
      return Optional.of("grant-missing");
    }
    String best = "grant-revoked";
    for (Grant grant : grants) {
      String reason = reason(grant, partition, nodes, now);
      if (reason == null) {
        return Optional.empty();
      }
      if (rank(reason) > rank(best)) {
        best = reason;
      }
    }
    return Optional.of(best);
  }

  private static String reason(Grant grant, String partition, List<String> nodes, Instant now) {
    if (grant.revokedAt() != null) {
      return "grant-revoked";
    }
    if (grant.expiresAt() != null && !now.isBefore(grant.expiresAt())) {
      return "grant-expired";
    }
    if (!grant.partitions().isEmpty() && !grant.partitions().contains(partition)) {
      return "grant-partition-not-allowed";
    }
    if (!grant.nodes().isEmpty() && !grant.nodes().containsAll(nodes)) {
      return "grant-node-not-allowed";
    }
    return null;
  }

  private static int rank(String reason) {
    return switch (reason) {
      case "grant-revoked" -> 0;
      case "grant-expired" -> 1;
      case "grant-partition-not-allowed" -> 2;
      default -> 3;
    };
  }
}
