package org.hpcs.common.crypto;

import com.exceptionfactory.jagged.RecipientStanzaWriter;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaWriterFactory;
import java.security.GeneralSecurityException;
import java.util.Objects;

/**
 * An age X25519 recipient, the public key text that starts with {@code age1}.
 *
 * @param value the Bech32 text of the public key
 */
public record AgeRecipient(String value) {
  private static final String SECRET_KEY_PREFIX = "AGE-SECRET-KEY-";

  /** Checks that the value is present; use {@link #parse} to validate untrusted text. */
  public AgeRecipient {
    Objects.requireNonNull(value, "value must not be null");
  }

  /**
   * Parses and validates recipient text such as {@code age1...}.
   *
   * @throws InvalidAgeKeyException if the text is not an X25519 age public key
   */
  public static AgeRecipient parse(String text) throws InvalidAgeKeyException {
    Objects.requireNonNull(text, "text must not be null");
    String trimmed = text.strip();
    if (!trimmed.startsWith("age1")) {
      throw invalid(trimmed);
    }
    try {
      X25519RecipientStanzaWriterFactory.newRecipientStanzaWriter(trimmed);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw invalid(trimmed);
    }
    return new AgeRecipient(trimmed);
  }

  RecipientStanzaWriter stanzaWriter() throws InvalidAgeKeyException {
    try {
      return X25519RecipientStanzaWriterFactory.newRecipientStanzaWriter(value);
    } catch (GeneralSecurityException e) {
      throw invalid(value);
    }
  }

  /**
   * Returns the error for text that is not a recipient. Only text that starts like a public key is
   * shown: anything else may be a secret key pasted by mistake, and must not reach a log.
   */
  private static InvalidAgeKeyException invalid(String text) {
    if (text.regionMatches(true, 0, SECRET_KEY_PREFIX, 0, SECRET_KEY_PREFIX.length())) {
      return new InvalidAgeKeyException(
          "invalid age recipient: the value is an age secret key (identity), not shown here; pass the public key that age-keygen -y prints, and keep the secret key private");
    }
    if (!text.startsWith("age1")) {
      return new InvalidAgeKeyException(
          "invalid age recipient (%d characters, not shown): expected an X25519 public key such as the \"age1...\" line that age-keygen -y prints"
              .formatted(text.length()));
    }
    String shown = text.length() > 80 ? text.substring(0, 80) + "..." : text;
    return new InvalidAgeKeyException(
        "invalid age recipient \"%s\": expected an X25519 public key such as the \"age1...\" line that age-keygen -y prints"
            .formatted(shown));
  }

  @Override
  public String toString() {
    return value;
  }
}
