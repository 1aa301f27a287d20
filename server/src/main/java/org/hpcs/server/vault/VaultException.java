package org.hpcs.server.vault;

/** A call to Vault failed or was refused. The message names the path and the HTTP status. */
public class VaultException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int status;

  /** Creates the exception for a response with an unexpected status. */
  public VaultException(int status, String message) {
    super(message);
    this.status = status;
  }

  /** Creates the exception for a transport failure; the status is 0. */
  public VaultException(String message, Throwable cause) {
    super(message, cause);
    this.status = 0;
  }

  /** Returns the HTTP status, or 0 when Vault was not reached. */
  public int status() {
    return status;
  }
}
