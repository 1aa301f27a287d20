package org.hpcs.common.api;

import java.time.Instant;

/**
 * A registered bundle: the facts the server keeps from the bundle's signed manifest.
 *
 * @param bundleId the bundle identifier from the manifest
 * @param owner the Vault username of the owner
 * @param manifestSha256 lower-case hex SHA-256 of the exact bytes of {@code <name>.manifest.json},
 *     which the client sends unchanged as the registration request body
 * @param ciphertextSha256 lower-case hex SHA-256 of the bundle's {@code <name>.age} file
 * @param ciphertextSize size of the {@code <name>.age} file in bytes
 * @param kvMount the KV version 2 mount that contains the bundle key
 * @param kvPath the secret path of the bundle key inside the mount, {@code
 *     owners/<owner>/bundles/<bundleId>}
 * @param outputRecipient the owner's age recipient that job outputs are encrypted to
 * @param registeredAt when the bundle was registered
 */
public record BundleInfo(
    String bundleId,
    String owner,
    String manifestSha256,
    String ciphertextSha256,
    long ciphertextSize,
    String kvMount,
    String kvPath,
    String outputRecipient,
    Instant registeredAt) {}
