package org.hpcs.common.bundle;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/** Signs manifests with the owner's Ed25519 key and verifies them against an expected key. */
public final class ManifestSigner {
  private ManifestSigner() {}

  /** Returns {@code unsigned} with the signer's public key and the signature filled in. */
  public static BundleManifest sign(BundleManifest unsigned, KeyPair signingKey) {
    Signer signer = new Signer(Signer.ED25519, Ed25519Keys.toText(signingKey.getPublic()));
    BundleManifest withSigner = unsigned.withSignature(signer, "");
    try {
      Signature signature = Signature.getInstance("Ed25519");
      signature.initSign(signingKey.getPrivate());
      signature.update(ManifestCodec.signedBytes(withSigner));
      String value = Base64.getEncoder().encodeToString(signature.sign());
      return withSigner.withSignature(signer, value);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("signing key is not an Ed25519 key pair", e);
    }
  }

  /**
   * Checks that {@code manifest} was signed by {@code expected}.
   *
   * @throws BundleException if the signer differs from {@code expected} or the signature does not
   *     verify (the manifest was altered after signing)
   */
  public static void verify(BundleManifest manifest, PublicKey expected, String source)
      throws BundleException {
    PublicKey signer = Ed25519Keys.fromText(manifest.signer().publicKey(), source);
    if (!MessageDigest.isEqual(signer.getEncoded(), expected.getEncoded())) {
      throw new BundleException(
          "manifest %s is signed by key %s, not by the expected owner key %s; reject it or register the owner's current key"
              .formatted(source, manifest.signer().publicKey(), Ed25519Keys.toText(expected)));
    }
    boolean valid;
    try {
      Signature signature = Signature.getInstance("Ed25519");
      signature.initVerify(expected);
      signature.update(ManifestCodec.signedBytes(manifest));
      valid = signature.verify(Base64.getDecoder().decode(manifest.signature()));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      valid = false;
    }
    if (!valid) {
      throw new BundleException(
          "manifest %s has an invalid signature: it was changed after the owner signed it; fetch the original manifest"
              .formatted(source));
    }
  }
}
