package org.hpcs.attest.tpmdevid;

import java.math.BigInteger;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;

/**
 * A parsed TPMT_PUBLIC (TPM 2.0 Library Specification, Part 2, "TPMT_PUBLIC"), for the two shapes
 * used here: ECC P-256 keys and RSA keys. The name is nameAlg (u16) followed by the nameAlg digest
 * of the whole TPMT_PUBLIC, which is how the TPM names the object in a credential.
 */
final class TpmPublicArea {
  static final int ALG_RSA = 0x0001;
  static final int ALG_ECC = 0x0023;
  static final int ALG_SHA256 = 0x000B;
  static final int ALG_AES = 0x0006;
  static final int ALG_CFB = 0x0043;
  static final int ALG_NULL = 0x0010;
  static final int ALG_ECDSA = 0x0018;
  static final int CURVE_NIST_P256 = 0x0003;

  static final int FIXED_TPM = 1 << 1;
  static final int FIXED_PARENT = 1 << 4;
  static final int SENSITIVE_DATA_ORIGIN = 1 << 5;
  static final int RESTRICTED = 1 << 16;
  static final int DECRYPT = 1 << 17;
  static final int SIGN = 1 << 18;

  private final byte[] encoded;
  private final int type;
  private final int nameAlg;
  private final int attributes;
  private final int symmetricAlg;
  private final int symmetricKeyBits;
  private final int symmetricMode;
  private final int scheme;
  private final int schemeHash;
  private final PublicKey publicKey;

  private TpmPublicArea(byte[] encoded, Fields fields) {
    this.encoded = encoded;
    this.type = fields.type;
    this.nameAlg = fields.nameAlg;
    this.attributes = fields.attributes;
    this.symmetricAlg = fields.symmetricAlg;
    this.symmetricKeyBits = fields.symmetricKeyBits;
    this.symmetricMode = fields.symmetricMode;
    this.scheme = fields.scheme;
    this.schemeHash = fields.schemeHash;
    this.publicKey = fields.publicKey;
  }

  /**
   * Parses a TPMT_PUBLIC in wire format.
   *
   * @throws IllegalArgumentException naming what is malformed or unsupported
   */
  static TpmPublicArea parse(byte[] encoded) {
    try {
      ByteBuffer in = ByteBuffer.wrap(encoded);
      Fields fields = new Fields();
      fields.type = u16(in);
      fields.nameAlg = u16(in);
      fields.attributes = in.getInt();
      skip2b(in);
      if (fields.type == ALG_ECC) {
        parseEcc(in, fields);
      } else if (fields.type == ALG_RSA) {
        parseRsa(in, fields);
      } else {
        throw new IllegalArgumentException(
            "public area has key type 0x" + Integer.toHexString(fields.type) + ", not RSA or ECC");
      }
      if (in.hasRemaining()) {
        throw new IllegalArgumentException("public area has " + in.remaining() + " extra bytes");
      }
      return new TpmPublicArea(encoded.clone(), fields);
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("public area is truncated", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("public area holds an invalid key: " + e.getMessage(), e);
    }
  }

  private static void parseEcc(ByteBuffer in, Fields fields) throws GeneralSecurityException {
    readSymmetric(in, fields);
    fields.scheme = u16(in);
    if (fields.scheme != ALG_NULL) {
      fields.schemeHash = u16(in);
    }
    fields.curve = u16(in);
    int kdf = u16(in);
    if (kdf != ALG_NULL) {
      u16(in);
    }
    byte[] x = read2b(in);
    byte[] y = read2b(in);
    if (fields.curve != CURVE_NIST_P256) {
      throw new IllegalArgumentException(
          "ECC key uses curve 0x"
              + Integer.toHexString(fields.curve)
              + ", only NIST P-256 is supported");
    }
    AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
    parameters.init(new ECGenParameterSpec("secp256r1"));
    ECParameterSpec spec = parameters.getParameterSpec(ECParameterSpec.class);
    ECPoint point = new ECPoint(new BigInteger(1, x), new BigInteger(1, y));
    fields.publicKey =
        KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, spec));
  }

  private static void parseRsa(ByteBuffer in, Fields fields) throws GeneralSecurityException {
    readSymmetric(in, fields);
    fields.scheme = u16(in);
    if (fields.scheme != ALG_NULL) {
      fields.schemeHash = u16(in);
    }
    u16(in);
    long exponent = Integer.toUnsignedLong(in.getInt());
    byte[] modulus = read2b(in);
    BigInteger e = BigInteger.valueOf(exponent == 0 ? 65537 : exponent);
    fields.publicKey =
        KeyFactory.getInstance("RSA")
            .generatePublic(new RSAPublicKeySpec(new BigInteger(1, modulus), e));
  }

  private static void readSymmetric(ByteBuffer in, Fields fields) {
    fields.symmetricAlg = u16(in);
    if (fields.symmetricAlg != ALG_NULL) {
      fields.symmetricKeyBits = u16(in);
      fields.symmetricMode = u16(in);
    }
  }

  /** Returns the TPMT_PUBLIC bytes. */
  byte[] encoded() {
    return encoded.clone();
  }

  /** Returns the TPM name: nameAlg followed by SHA-256 of the TPMT_PUBLIC. */
  byte[] name() {
    if (nameAlg != ALG_SHA256) {
      throw new IllegalArgumentException(
          "public area uses name algorithm 0x" + Integer.toHexString(nameAlg) + ", not SHA-256");
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(encoded);
      return ByteBuffer.allocate(2 + digest.length).putShort((short) nameAlg).put(digest).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  int type() {
    return type;
  }

  int nameAlg() {
    return nameAlg;
  }

  int attributes() {
    return attributes;
  }

  boolean hasAttributes(int mask) {
    return (attributes & mask) == mask;
  }

  int symmetricAlg() {
    return symmetricAlg;
  }

  int symmetricKeyBits() {
    return symmetricKeyBits;
  }

  int symmetricMode() {
    return symmetricMode;
  }

  int scheme() {
    return scheme;
  }

  int schemeHash() {
    return schemeHash;
  }

  PublicKey publicKey() {
    return publicKey;
  }

  private static int u16(ByteBuffer in) {
    return Short.toUnsignedInt(in.getShort());
  }

  private static void skip2b(ByteBuffer in) {
    int size = u16(in);
    in.position(in.position() + size);
  }

  private static byte[] read2b(ByteBuffer in) {
    byte[] out = new byte[u16(in)];
    in.get(out);
    return out;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TpmPublicArea area && Arrays.equals(encoded, area.encoded);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  /** Parse state; only some fields apply to each key type. */
  private static final class Fields {
    int type;
    int nameAlg;
    int attributes;
    int symmetricAlg = ALG_NULL;
    int symmetricKeyBits;
    int symmetricMode;
    int scheme = ALG_NULL;
    int schemeHash;
    int curve;
    PublicKey publicKey;
  }
}
