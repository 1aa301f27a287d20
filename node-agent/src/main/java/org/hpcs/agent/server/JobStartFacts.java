package org.hpcs.agent.server;

import java.util.List;

/**
 * The body of {@code POST /v1/jobs/{id}/start}.
 *
 * @param user the job's cluster user name
 * @param nodes every node of the job's allocation
 * @param partition the job's partition
 * @param timeLimitSeconds the job's time limit, 0 when unlimited
 * @param bundles the bundles the job manifest names
 */
public record JobStartFacts(
    String user,
    List<String> nodes,
    String partition,
    long timeLimitSeconds,
    List<BundleRef> bundles) {
  /** Copies the lists. */
  public JobStartFacts {
    nodes = List.copyOf(nodes);
    bundles = List.copyOf(bundles);
  }

  /**
   * A bundle named in the job manifest.
   *
   * @param bundleId the bundle id the server registered
   * @param manifestSha256 hex SHA-256 of the bundle's signed manifest
   */
  public record BundleRef(String bundleId, String manifestSha256) {}
}
