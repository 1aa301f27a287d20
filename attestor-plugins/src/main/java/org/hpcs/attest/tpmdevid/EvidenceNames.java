package org.hpcs.attest.tpmdevid;

/** Field names of tpm-devid evidence and challenge parameters (values base64 unless noted). */
final class EvidenceNames {
  /** DevID certificate and its intermediates, DER, concatenated, leaf first. */
  static final String DEVID_CERTIFICATES = "devIdCertificates";

  /** TPMT_PUBLIC of the DevID key. */
  static final String DEVID_PUBLIC = "devIdPublic";

  /** TPMT_PUBLIC of the endorsement key. */
  static final String EK_PUBLIC = "ekPublic";

  /** EK certificate from the TPM's NV index, DER; absent when the TPM has none. */
  static final String EK_CERTIFICATE = "ekCertificate";

  /** Second round: ECDSA signature of the proof message, r || s, 32 bytes each. */
  static final String SIGNATURE = "signature";

  /** Second round: the secret that TPM2_ActivateCredential returned. */
  static final String ACTIVATED_CREDENTIAL = "activatedCredential";

  /** Challenge parameter: TPM2B_ID_OBJECT. */
  static final String CREDENTIAL_BLOB = "credentialBlob";

  /** Challenge parameter: TPM2B_ENCRYPTED_SECRET. */
  static final String ENCRYPTED_SECRET = "encryptedSecret";

  /** Challenge parameter, hex: SHA-256 of the credential; the verifier compares against it. */
  static final String CREDENTIAL_SHA256 = "credentialSha256";

  /** Challenge parameter, hex: TPM name of the DevID key from the first round. */
  static final String DEVID_NAME = "devIdName";

  /** Challenge parameter, hex: SHA-256 of the EK's SubjectPublicKeyInfo from the first round. */
  static final String EK_SHA256 = "ekSha256";

  private EvidenceNames() {}
}
