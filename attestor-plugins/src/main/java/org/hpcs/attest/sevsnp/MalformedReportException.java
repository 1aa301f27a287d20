package org.hpcs.attest.sevsnp;

/** The bytes given as an SEV-SNP attestation report do not have the report's layout. */
public final class MalformedReportException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that names the defect. */
  public MalformedReportException(String message) {
    super(message);
  }
}
