package org.hpcs.common.api;

/**
 * Where a bundle's key lives in Vault.
 *
 * @param bundleId the bundle identifier
 * @param kvMount the KV version 2 mount, for example {@code kv-hpcs}
 * @param kvPath the secret path inside the mount, without the {@code data/} segment
 * @param httpPath the full HTTP API path below {@code /v1/}, with the {@code data/} segment
 */
public record KeyLocation(String bundleId, String kvMount, String kvPath, String httpPath) {}
