package org.hpcs.common.bundle;

/**
 * Digests computed while a bundle was encrypted.
 *
 * @param plaintext digest of the SIF image or the tar stream
 * @param ciphertext digest of the age file
 */
public record EncryptedPayload(ContentDigest plaintext, ContentDigest ciphertext) {}
