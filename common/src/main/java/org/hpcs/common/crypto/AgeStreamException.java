package org.hpcs.common.crypto;

import java.io.IOException;

/**
 * Carries an {@link AgeException} through channel and stream APIs that may only throw {@link
 * IOException}. Code that reads from a channel returned by {@link AgeDecryptor#open} catches this
 * and rethrows {@link #ageException()}.
 */
public final class AgeStreamException extends IOException {
  private final AgeException ageException;

  AgeStreamException(AgeException cause) {
    super(cause.getMessage(), cause);
    this.ageException = cause;
  }

  /** Returns the classified age failure. */
  public AgeException ageException() {
    return ageException;
  }
}
