package org.hpcs.common.crypto;

/** The input starts neither with the age v1 header line nor with the age armor line. */
public final class NotAgeFileException extends AgeException {
  NotAgeFileException(String source) {
    super(
        ("%s is not an age file: it starts neither with \"age-encryption.org/v1\" nor with"
                + " \"-----BEGIN AGE ENCRYPTED FILE-----\"; pass the encrypted file, not the"
                + " plaintext or another format")
            .formatted(source));
  }
}
