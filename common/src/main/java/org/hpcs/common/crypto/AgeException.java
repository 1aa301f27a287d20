package org.hpcs.common.crypto;

/**
 * Failure family of age encryption and decryption. Each subclass names one kind of fault so that
 * callers and users can tell a damaged file from a wrong key. Messages never contain key material.
 */
public class AgeException extends Exception {
  /** Creates an exception with a message that names the value at fault. */
  public AgeException(String message) {
    super(message);
  }

  /** Creates an exception with a message and the underlying cause. */
  public AgeException(String message, Throwable cause) {
    super(message, cause);
  }
}
