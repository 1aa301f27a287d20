package org.hpcs.common.bundle;

import java.util.UUID;

/**
 * The signed description of one bundle, stored beside it as {@code <name>.manifest.json}. The
 * layout and the canonical form that the signature covers are described in docs/bundle-format.md.
 *
 * @param schemaVersion the manifest layout version, {@value #SCHEMA_VERSION}
 * @param bundleId a random UUID
 * @param kind what the bundle carries
 * @param owner the Vault user name of the data owner
 * @param name the bundle's file name stem ({@code <name>.age})
 * @param createdAt creation time, ISO-8601 UTC with seconds, such as 2025-01-31T12:00:00Z
 * @param ciphertext digest of the {@code .age} file
 * @param plaintext digest of the SIF image or of the tar stream
 * @param key where the bundle's age identity is stored in Vault
 * @param outputRecipient the owner's age recipient for job outputs
 * @param signer the owner's signing public key
 * @param signature standard Base64 of the Ed25519 signature over the canonical form
 */
public record BundleManifest(
    int schemaVersion,
    String bundleId,
    BundleKind kind,
    String owner,
    String name,
    String createdAt,
    ContentDigest ciphertext,
    ContentDigest plaintext,
    KeyLocation key,
    String outputRecipient,
    Signer signer,
    String signature) {
  /** The manifest layout version that this code writes and reads. */
  public static final int SCHEMA_VERSION = 1;

  /** Returns a copy without signature, ready for {@link ManifestSigner#sign}. */
  public static BundleManifest unsigned(
      BundleKind kind,
      String owner,
      String name,
      String createdAt,
      ContentDigest ciphertext,
      ContentDigest plaintext,
      String kvMount,
      String outputRecipient) {
    String bundleId = UUID.randomUUID().toString();
    return unsigned(
        bundleId, kind, owner, name, createdAt, ciphertext, plaintext, kvMount, outputRecipient);
  }

  /** Returns an unsigned manifest with a given bundle id. */
  public static BundleManifest unsigned(
      String bundleId,
      BundleKind kind,
      String owner,
      String name,
      String createdAt,
      ContentDigest ciphertext,
      ContentDigest plaintext,
      String kvMount,
      String outputRecipient) {
    return new BundleManifest(
        SCHEMA_VERSION,
        bundleId,
        kind,
        owner,
        name,
        createdAt,
        ciphertext,
        plaintext,
        KeyLocation.forBundle(kvMount, owner, bundleId),
        outputRecipient,
        null,
        null);
  }

  /** Returns a copy with the given signer and signature. */
  BundleManifest withSignature(Signer newSigner, String newSignature) {
    return new BundleManifest(
        schemaVersion,
        bundleId,
        kind,
        owner,
        name,
        createdAt,
        ciphertext,
        plaintext,
        key,
        outputRecipient,
        newSigner,
        newSignature);
  }

  /** Returns the file name of the encrypted payload. */
  public String ageFileName() {
    return name + ".age";
  }

  /** Returns the file name of the manifest. */
  public String manifestFileName() {
    return name + ".manifest.json";
  }
}
