package org.hpcs.common.api;

/**
 * A bundle a job uses.
 *
 * @param bundleId the bundle identifier
 * @param manifestSha256 lower-case hex SHA-256 of the manifest the node agent is about to use
 */
public record BundleRef(String bundleId, String manifestSha256) {}
