package org.hpcs.attest.tpmdevid.tss;

/** A TPM or TSS call failed; the message names the call, the handle and the decoded code. */
public final class TpmException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int responseCode;

  /** Creates the exception for a failed call with its TSS2 response code. */
  public TpmException(String message, int responseCode) {
    super(message);
    this.responseCode = responseCode;
  }

  /** Creates the exception for a failure without a response code, such as a missing library. */
  public TpmException(String message, Throwable cause) {
    super(message, cause);
    this.responseCode = 0;
  }

  /** Returns the TSS2 response code, or 0 when there is none. */
  public int responseCode() {
    return responseCode;
  }
}
