package org.hpcs.attest.tpmdevid;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/** TPMT_PUBLIC templates, in wire format, for the keys this attestor creates or recreates. */
final class TpmTemplates {
  /**
   * PolicySecret(TPM_RH_ENDORSEMENT) policy digest with SHA-256, the authPolicy of the default EK
   * (TCG EK Credential Profile, template L-1).
   */
  private static final byte[] EK_POLICY =
      HexFormat.of().parseHex("837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa");

  private static final int EK_ATTRIBUTES =
      TpmPublicArea.FIXED_TPM
          | TpmPublicArea.FIXED_PARENT
          | TpmPublicArea.SENSITIVE_DATA_ORIGIN
          | (1 << 7) // adminWithPolicy
          | TpmPublicArea.RESTRICTED
          | TpmPublicArea.DECRYPT;

  private static final int SRK_ATTRIBUTES =
      TpmPublicArea.FIXED_TPM
          | TpmPublicArea.FIXED_PARENT
          | TpmPublicArea.SENSITIVE_DATA_ORIGIN
          | (1 << 6) // userWithAuth
          | (1 << 10) // noDA
          | TpmPublicArea.RESTRICTED
          | TpmPublicArea.DECRYPT;

  /** fixedTPM, fixedParent, sensitiveDataOrigin, userWithAuth and sign: a non-restricted key. */
  static final int DEVID_ATTRIBUTES =
      TpmPublicArea.FIXED_TPM
          | TpmPublicArea.FIXED_PARENT
          | TpmPublicArea.SENSITIVE_DATA_ORIGIN
          | (1 << 6)
          | TpmPublicArea.SIGN;

  private TpmTemplates() {}

  /** Returns the default RSA 2048 endorsement key (TCG EK Credential Profile, template L-1). */
  static byte[] endorsementKeyRsa2048() {
    return rsa(EK_ATTRIBUTES, EK_POLICY, new byte[256]);
  }

  /** Returns the ECC P-256 storage root key of the TCG provisioning guidance. */
  static byte[] storageRootKeyEcc() {
    ByteBuffer out = ByteBuffer.allocate(128);
    out.putShort((short) TpmPublicArea.ALG_ECC).putShort((short) TpmPublicArea.ALG_SHA256);
    out.putInt(SRK_ATTRIBUTES).putShort((short) 0);
    out.putShort((short) TpmPublicArea.ALG_AES).putShort((short) 128);
    out.putShort((short) TpmPublicArea.ALG_CFB);
    out.putShort((short) TpmPublicArea.ALG_NULL);
    out.putShort((short) TpmPublicArea.CURVE_NIST_P256).putShort((short) TpmPublicArea.ALG_NULL);
    out.putShort((short) 32).put(new byte[32]).putShort((short) 32).put(new byte[32]);
    return trim(out);
  }

  /** Returns the DevID key template: ECC P-256, ECDSA with SHA-256, non-restricted signing. */
  static byte[] devIdEcc() {
    ByteBuffer out = ByteBuffer.allocate(64);
    out.putShort((short) TpmPublicArea.ALG_ECC).putShort((short) TpmPublicArea.ALG_SHA256);
    out.putInt(DEVID_ATTRIBUTES).putShort((short) 0);
    out.putShort((short) TpmPublicArea.ALG_NULL);
    out.putShort((short) TpmPublicArea.ALG_ECDSA).putShort((short) TpmPublicArea.ALG_SHA256);
    out.putShort((short) TpmPublicArea.CURVE_NIST_P256).putShort((short) TpmPublicArea.ALG_NULL);
    out.putShort((short) 0).putShort((short) 0);
    return trim(out);
  }

  /** Returns an RSA 2048 key shaped like the default EK, with the given modulus (for tests). */
  static byte[] endorsementKeyRsa2048(byte[] modulus) {
    return rsa(EK_ATTRIBUTES, EK_POLICY, modulus);
  }

  private static byte[] rsa(int attributes, byte[] policy, byte[] modulus) {
    ByteBuffer out = ByteBuffer.allocate(512);
    out.putShort((short) TpmPublicArea.ALG_RSA).putShort((short) TpmPublicArea.ALG_SHA256);
    out.putInt(attributes).putShort((short) policy.length).put(policy);
    out.putShort((short) TpmPublicArea.ALG_AES).putShort((short) 128);
    out.putShort((short) TpmPublicArea.ALG_CFB);
    out.putShort((short) TpmPublicArea.ALG_NULL);
    out.putShort((short) 2048).putInt(0);
    out.putShort((short) modulus.length).put(modulus);
    return trim(out);
  }

  private static byte[] trim(ByteBuffer buffer) {
    byte[] out = new byte[buffer.position()];
    buffer.flip().get(out);
    return out;
  }
}
