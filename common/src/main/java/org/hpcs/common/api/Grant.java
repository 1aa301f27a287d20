package org.hpcs.common.api;

import java.time.Instant;
import java.util.List;

/**
 * A recorded grant.
 *
 * @param grantId the grant identifier
 * @param bundleId the bundle granted
 * @param owner the owner who granted it
 * @param user the grantee
 * @param partitions partition limit, empty for any
 * @param nodes node limit, empty for any
 * @param expiresAt expiry, null for none
 * @param createdAt when it was granted
 * @param revokedAt when it was revoked, null while live
 */
public record Grant(
    String grantId,
    String bundleId,
    String owner,
    String user,
    List<String> partitions,
    List<String> nodes,
    Instant expiresAt,
    Instant createdAt,
    Instant revokedAt) {}
