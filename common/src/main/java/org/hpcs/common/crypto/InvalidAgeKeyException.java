package org.hpcs.common.crypto;

/** An age identity or recipient text does not parse. The message never contains the secret. */
public final class InvalidAgeKeyException extends AgeException {
  /** Creates an exception whose message names the source and the reason, without key text. */
  public InvalidAgeKeyException(String message) {
    super(message);
  }

  /** Creates an exception with a message and the cause. */
  public InvalidAgeKeyException(String message, Throwable cause) {
    super(message, cause);
  }
}
