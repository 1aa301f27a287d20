package org.hpcs.common.bundle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ed25519 signing keys in PEM files: the private key as PKCS#8 ({@code PRIVATE KEY}), the public
 * key as X.509 SubjectPublicKeyInfo ({@code PUBLIC KEY}), the layout that {@code openssl genpkey
 * -algorithm ed25519} writes.
 */
public final class Ed25519Keys {
  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

  private Ed25519Keys() {}

  /** Generates a new key pair. */
  public static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is missing from this JDK", e);
    }
  }

  /** Writes the private key as PKCS#8 PEM to a new file created with mode 0600. */
  public static void writePrivate(Path file, PrivateKey key) throws IOException {
    writeNew(file, pem("PRIVATE KEY", key.getEncoded()), "rw-------");
  }

  /** Writes the public key as PEM to a new file created with mode 0644. */
  public static void writePublic(Path file, PublicKey key) throws IOException {
    writeNew(file, pem("PUBLIC KEY", key.getEncoded()), "rw-r--r--");
  }

  /**
   * Reads a PKCS#8 PEM Ed25519 private key.
   *
   * @throws BundleException if the file contains another format; the message names the format found
   */
  public static PrivateKey readPrivate(Path file) throws BundleException, IOException {
    byte[] der = readPem(file, "PRIVATE KEY");
    try {
      return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new BundleException(
          "signing key %s is a PKCS#8 key but not Ed25519; create one with hpcs keygen"
              .formatted(file));
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  /** Reads a PEM Ed25519 public key. */
  public static PublicKey readPublic(Path file) throws BundleException, IOException {
    return decodePublic(readPem(file, "PUBLIC KEY"), file.toString());
  }

  /** Returns the manifest text of a public key: standard Base64 of its X.509 encoding. */
  public static String toText(PublicKey key) {
    return Base64.getEncoder().encodeToString(key.getEncoded());
  }

  /** Parses the manifest text of a public key. */
  public static PublicKey fromText(String text, String source) throws BundleException {
    try {
      return decodePublic(Base64.getDecoder().decode(text), source);
    } catch (IllegalArgumentException e) {
      throw new BundleException("public key in %s is not Base64".formatted(source), e);
    }
  }

  private static PublicKey decodePublic(byte[] der, String source) throws BundleException {
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new BundleException(
          "public key in %s is not an Ed25519 SubjectPublicKeyInfo".formatted(source), e);
    }
  }

  private static byte[] readPem(Path file, String expectedType)
      throws BundleException, IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    Matcher matcher = PEM.matcher(text);
    if (!matcher.find()) {
      throw new BundleException(
          "%s is not a PEM file; expected \"-----BEGIN %s-----\" (Ed25519, as hpcs keygen writes)"
              .formatted(file, expectedType));
    }
    String found = matcher.group(1);
    if (!found.equals(expectedType)) {
      throw new BundleException(
          "%s contains a PEM \"%s\", but an Ed25519 \"%s\" is required; create one with hpcs keygen"
              .formatted(file, found, expectedType));
    }
    try {
      return Base64.getMimeDecoder().decode(matcher.group(2));
    } catch (IllegalArgumentException e) {
      throw new BundleException("%s has a damaged PEM body".formatted(file), e);
    }
  }

  private static String pem(String type, byte[] der) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  private static void writeNew(Path file, String text, String mode) throws IOException {
    Files.writeString(
        Files.createFile(
            file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode))),
        text,
        StandardCharsets.US_ASCII,
        StandardOpenOption.WRITE);
  }
}
