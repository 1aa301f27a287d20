package org.hpcs.common.tar;

/** A tar archive cannot be written or extracted safely. The message names the entry at fault. */
public final class TarException extends Exception {
  /** Creates an exception whose message names the entry and the fix. */
  public TarException(String message) {
    super(message);
  }

  /** Creates an exception with a message and the cause. */
  public TarException(String message, Throwable cause) {
    super(message, cause);
  }
}
