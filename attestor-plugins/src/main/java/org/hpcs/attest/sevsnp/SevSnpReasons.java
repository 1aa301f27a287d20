package org.hpcs.attest.sevsnp;

/** Stable reason codes for every sev-snp denial, as written to the audit log. */
public final class SevSnpReasons {
  /** The node has no SEV-SNP guest interface. */
  public static final String UNAVAILABLE = "sev-snp-unavailable";

  /** The guest interface failed to produce a report. */
  public static final String REPORT_REQUEST_FAILED = "report-request-failed";

  /** The challenge carries no issue time, so the nonce age is unknown. */
  public static final String ISSUE_TIME_MISSING = "challenge-issue-time-missing";

  /** The challenge is older than the configured nonce lifetime. */
  public static final String NONCE_EXPIRED = "nonce-expired";

  /** The nonce was already accepted once. */
  public static final String NONCE_REPLAYED = "nonce-replayed";

  /** The report is not an ATTESTATION_REPORT structure. */
  public static final String REPORT_MALFORMED = "report-malformed";

  /** The report version is not in the configured list. */
  public static final String VERSION_UNSUPPORTED = "report-version-unsupported";

  /** The report is not signed with ECDSA P-384 and SHA-384. */
  public static final String SIGNATURE_ALGORITHM_UNSUPPORTED = "signature-algorithm-unsupported";

  /** The report was signed by a VLEK or no key; only VCEK signatures are accepted. */
  public static final String SIGNING_KEY_UNSUPPORTED = "signing-key-unsupported";

  /** The VCEK certificate does not chain to the configured ASK and ARK. */
  public static final String VCEK_CHAIN_INVALID = "vcek-chain-invalid";

  /** The VCEK certificate names another chip or another TCB than the report. */
  public static final String VCEK_MISMATCH = "vcek-report-mismatch";

  /** The report signature does not verify with the VCEK. */
  public static final String SIGNATURE_INVALID = "report-signature-invalid";

  /** The report data does not bind this challenge's nonce, node and agent key. */
  public static final String REPORT_DATA_MISMATCH = "report-data-mismatch";

  /** The guest policy allows debugging. */
  public static final String DEBUG_ENABLED = "debug-enabled";

  /** The report was requested from a VMPL above the configured maximum. */
  public static final String VMPL_NOT_ALLOWED = "vmpl-not-allowed";

  /** The launch measurement is not on the allow-list. */
  public static final String MEASUREMENT_NOT_ALLOWED = "measurement-not-allowed";

  /** A reported TCB component is below the configured minimum. */
  public static final String TCB_BELOW_MINIMUM = "tcb-below-minimum";

  private SevSnpReasons() {}
}
