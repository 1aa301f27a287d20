package org.hpcs.common.api;

/**
 * Registers a bundle with its signed manifest.
 *
 * @param manifest base64 of the manifest's exact bytes (JSON with at least {@code bundleId} and
 *     {@code owner})
 * @param signature base64 of the Ed25519 signature over those bytes
 * @param publicKey base64 of the owner's Ed25519 public key (X.509 SubjectPublicKeyInfo DER); the
 *     server pins the first key an owner registers with
 */
public record BundleRegistration(String manifest, String signature, String publicKey) {}
