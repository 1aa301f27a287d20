package org.hpcs.client.keys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.List;
import org.hpcs.client.HpcsException;
import org.hpcs.common.bundle.BundleException;
import org.hpcs.common.bundle.Ed25519Keys;
import org.hpcs.common.crypto.AgeException;
import org.hpcs.common.crypto.AgeIdentities;
import org.hpcs.common.crypto.AgeIdentity;

/**
 * The owner's key files in the keys directory: the age identity for job outputs and the Ed25519 key
 * that signs manifests.
 *
 * @param directory the keys directory
 */
public record OwnerKeys(Path directory) {
  /** File name of the owner's age identity for job outputs. */
  public static final String OUTPUT_IDENTITY = "output-identity.txt";

  /** File name of the Ed25519 signing key (PKCS#8 PEM). */
  public static final String SIGNING_KEY = "signing-ed25519.pem";

  /** File name of the Ed25519 public key (PEM). */
  public static final String SIGNING_PUBLIC_KEY = "signing-ed25519.pub.pem";

  public Path outputIdentity() {
    return directory.resolve(OUTPUT_IDENTITY);
  }

  public Path signingKey() {
    return directory.resolve(SIGNING_KEY);
  }

  public Path signingPublicKey() {
    return directory.resolve(SIGNING_PUBLIC_KEY);
  }

  /** Returns the key files that exist already. */
  public List<Path> existing() {
    return List.of(outputIdentity(), signingKey(), signingPublicKey()).stream()
        .filter(Files::exists)
        .toList();
  }

  /** Loads the signing key pair. */
  public KeyPair loadSigning() throws HpcsException, IOException {
    if (!Files.exists(signingKey())) {
      throw new HpcsException(
          "signing key %s not found".formatted(signingKey()),
          "run 'hpcs keygen' once, or set keys.dir in the configuration");
    }
    try {
      PrivateKey privateKey = Ed25519Keys.readPrivate(signingKey());
      PublicKey publicKey = Ed25519Keys.readPublic(signingPublicKey());
      return new KeyPair(publicKey, privateKey);
    } catch (BundleException e) {
      throw new HpcsException(e.getMessage(), e);
    }
  }

  /** Loads the output identity. */
  public AgeIdentity loadOutputIdentity() throws HpcsException, IOException {
    if (!Files.exists(outputIdentity())) {
      throw new HpcsException(
          "output identity %s not found".formatted(outputIdentity()),
          "run 'hpcs keygen' once, or pass --output-recipient");
    }
    try {
      return AgeIdentities.read(outputIdentity()).get(0);
    } catch (AgeException e) {
      throw new HpcsException(e.getMessage(), e);
    }
  }
}
