package org.hpcs.common.bundle;

/**
 * A bundle or its manifest is invalid: malformed or unknown manifest fields, a bad signature, a
 * ciphertext whose digest differs from the manifest, or an input of the wrong kind.
 */
public final class BundleException extends Exception {
  /** Creates an exception whose message names the file or field at fault and the fix. */
  public BundleException(String message) {
    super(message);
  }

  /** Creates an exception with a message and the cause. */
  public BundleException(String message, Throwable cause) {
    super(message, cause);
  }
}
