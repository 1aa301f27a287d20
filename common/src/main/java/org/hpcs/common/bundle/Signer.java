package org.hpcs.common.bundle;

/**
 * The key that signed a manifest.
 *
 * @param algorithm always {@code Ed25519} in schema version 1
 * @param publicKey standard Base64 of the X.509 SubjectPublicKeyInfo DER encoding
 */
public record Signer(String algorithm, String publicKey) {
  /** The only signature algorithm of schema version 1. */
  public static final String ED25519 = "Ed25519";
}
