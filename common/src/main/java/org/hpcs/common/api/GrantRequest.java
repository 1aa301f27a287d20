package org.hpcs.common.api;

import java.time.Instant;
import java.util.List;

/**
 * Grants a cluster user the use of a bundle.
 *
 * @param bundleId the bundle, owned by the caller
 * @param user the cluster (and Vault) username of the grantee
 * @param partitions the Slurm partitions the grant is limited to; null or empty means any
 * @param nodes the Slurm nodes the grant is limited to; null or empty means any
 * @param expiresAt when the grant ends; null means it lasts until revoked
 */
public record GrantRequest(
    String bundleId, String user, List<String> partitions, List<String> nodes, Instant expiresAt) {}
