package org.hpcs.common.api;

import java.time.Instant;
import java.util.List;

/**
 * A registered bundle.
 *
 * @param bundleId the bundle identifier from the manifest
 * @param owner the Vault username of the owner
 * @param manifestSha256 lower-case hex SHA-256 of the manifest bytes
 * @param ownerRecipients age recipients that job output is encrypted to
 * @param registeredAt when the bundle was registered
 */
public record BundleInfo(
    String bundleId,
    String owner,
    String manifestSha256,
    List<String> ownerRecipients,
    Instant registeredAt) {}
