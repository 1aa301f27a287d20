package org.hpcs.common.bundle;

/**
 * SHA-256 and length of a byte stream.
 *
 * @param sha256 lower-case hexadecimal SHA-256 (64 characters)
 * @param size length in bytes
 */
public record ContentDigest(String sha256, long size) {}
