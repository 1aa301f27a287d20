package org.hpcs.common.crypto;

import com.exceptionfactory.jagged.RecipientStanzaReader;
import com.exceptionfactory.jagged.x25519.X25519KeyFactory;
import com.exceptionfactory.jagged.x25519.X25519KeyPairGenerator;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaReaderFactory;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyPair;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import javax.crypto.spec.SecretKeySpec;

/**
 * An age X25519 identity (private key). {@link #toString()} shows only the public recipient, so an
 * identity can be logged by mistake without leaking the secret.
 */
public final class AgeIdentity {
  private static final String PREFIX = "AGE-SECRET-KEY-1";

  private final String secret;
  private final AgeRecipient recipient;

  private AgeIdentity(String secret, AgeRecipient recipient) {
    this.secret = secret;
    this.recipient = recipient;
  }

  /** Generates a fresh random identity. */
  public static AgeIdentity generate() {
    try {
      KeyPair pair = new X25519KeyPairGenerator().generateKeyPair();
      String secret = new String(pair.getPrivate().getEncoded(), StandardCharsets.US_ASCII);
      return new AgeIdentity(secret, new AgeRecipient(pair.getPublic().toString()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("X25519 key generation is not available in this JDK", e);
    }
  }

  /**
   * Parses one {@code AGE-SECRET-KEY-1...} line. The exception message names only {@code source},
   * never the key text, and carries no cause that could contain it.
   *
   * @throws InvalidAgeKeyException if the line is not a valid X25519 age identity
   */
  static AgeIdentity parseLine(String line, String source) throws InvalidAgeKeyException {
    if (line.startsWith("age1")) {
      throw new InvalidAgeKeyException(
          "invalid age identity in %s: the line is an age public key (recipient), not a secret key; pass the identity file, whose key line starts with %s"
              .formatted(source, PREFIX));
    }
    if (!line.startsWith(PREFIX)) {
      throw new InvalidAgeKeyException(
          "invalid age identity in %s: expected a line starting with %s".formatted(source, PREFIX));
    }
    try {
      X25519RecipientStanzaReaderFactory.newRecipientStanzaReader(line);
      Key publicKey =
          new X25519KeyFactory()
              .translateKey(new SecretKeySpec(line.getBytes(StandardCharsets.US_ASCII), "X25519"));
      String recipient = new String(publicKey.getEncoded(), StandardCharsets.US_ASCII).strip();
      return new AgeIdentity(line, AgeRecipient.parse(recipient.replace("\0", "")));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new InvalidAgeKeyException(
          "invalid age identity in %s: the AGE-SECRET-KEY-1 line has a bad checksum or length; regenerate it with hpcs keygen or age-keygen"
              .formatted(source));
    }
  }

  /** Returns the public recipient that files for this identity are encrypted to. */
  public AgeRecipient recipient() {
    return recipient;
  }

  /**
   * Returns the secret key text ({@code AGE-SECRET-KEY-1...}). Callers write it only to 0600 files
   * or to Vault, never to logs or messages.
   */
  public String secretText() {
    return secret;
  }

  /** Returns the identity in the file layout of age-keygen: two comment lines and the key. */
  public String toIdentityFileText(Instant created) {
    return "# created: %s\n# public key: %s\n%s\n"
        .formatted(created.truncatedTo(ChronoUnit.SECONDS), recipient.value(), secret);
  }

  RecipientStanzaReader stanzaReader() throws InvalidAgeKeyException {
    try {
      return X25519RecipientStanzaReaderFactory.newRecipientStanzaReader(secret);
    } catch (GeneralSecurityException e) {
      throw new InvalidAgeKeyException("age identity for " + recipient + " cannot be used");
    }
  }

  @Override
  public String toString() {
    return "AgeIdentity[recipient=" + recipient + "]";
  }
}
