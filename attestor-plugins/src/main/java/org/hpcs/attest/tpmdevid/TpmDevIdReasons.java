package org.hpcs.attest.tpmdevid;

/** Stable reason codes for every tpm-devid failure, as written to the audit log. */
public final class TpmDevIdReasons {
  /** Node side: the TPM cannot be reached through the configured TCTI. */
  public static final String TPM_UNAVAILABLE = "tpm-unavailable";

  /** Node side: a TPM command failed, for example a missing DevID key. */
  public static final String TPM_OPERATION_FAILED = "tpm-operation-failed";

  /** Node side: the TPM could not activate the credential, so it is not the TPM claimed. */
  public static final String TPM_ACTIVATION_FAILED = "tpm-activation-failed";

  /** The DevID certificate does not chain to the site's DevID CA. */
  public static final String DEVID_CHAIN_INVALID = "devid-chain-invalid";

  /** The DevID certificate names another node. */
  public static final String DEVID_NODE_MISMATCH = "devid-node-mismatch";

  /** The TPM public area of the DevID key does not hold the certificate's key. */
  public static final String DEVID_KEY_MISMATCH = "devid-key-mismatch";

  /** The DevID key is not a fixed, TPM-generated ECC P-256 signing key. */
  public static final String DEVID_KEY_ATTRIBUTES = "devid-key-attributes";

  /** The endorsement key has a shape this verifier cannot make credentials for. */
  public static final String EK_UNSUPPORTED = "ek-unsupported";

  /** The endorsement key's hash is not on the allow-list. */
  public static final String EK_NOT_ALLOWED = "ek-not-allowed";

  /** A manufacturer CA is configured, but the node sent no EK certificate. */
  public static final String EK_CERTIFICATE_MISSING = "ek-certificate-missing";

  /** The EK certificate does not chain to a configured manufacturer CA. */
  public static final String EK_CERTIFICATE_INVALID = "ek-certificate-invalid";

  /** The EK certificate certifies another key than the node's EK. */
  public static final String EK_CERTIFICATE_MISMATCH = "ek-certificate-mismatch";

  /** verify() got a first-round challenge; the exchange needs the follow-up round. */
  public static final String ROUND_MISSING = "challenge-round-missing";

  /** The second-round evidence names another DevID key or EK than the first round. */
  public static final String CLAIM_CHANGED = "claim-changed";

  /** The challenge has no issue time. */
  public static final String ISSUE_TIME_MISSING = "challenge-issue-time-missing";

  /** The challenge is older than the nonce lifetime. */
  public static final String NONCE_EXPIRED = "nonce-expired";

  /** The nonce was already accepted once. */
  public static final String NONCE_REPLAYED = "nonce-replayed";

  /** The nonce signature does not verify with the DevID certificate's key. */
  public static final String SIGNATURE_INVALID = "signature-invalid";

  /** The returned credential differs from the one made for the EK and DevID key. */
  public static final String CREDENTIAL_ACTIVATION_FAILED = "credential-activation-failed";

  private TpmDevIdReasons() {}
}
