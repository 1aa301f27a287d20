package org.hpcs.attest.tpmdevid;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.spec.MGF1ParameterSpec;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;

/**
 * TPM2_MakeCredential done in software, as TPM 2.0 Library Specification Part 1, "Credential
 * Protection", describes it for an RSA storage key. A random seed is encrypted to the endorsement
 * key with RSA-OAEP (label "IDENTITY"). Keys derived from the seed then encrypt the credential
 * (AES-128-CFB) and protect it (HMAC), both bound to the name of the object that must be loaded to
 * recover it.
 */
final class CredentialMaker {
  private static final int SHA256_BYTES = 32;

  private final SecureRandom random;

  CredentialMaker(SecureRandom random) {
    this.random = random;
  }

  /**
   * Encrypts {@code credential} for the endorsement key and the object named {@code objectName}.
   *
   * @param ek an RSA endorsement key with SHA-256 name algorithm and AES-128-CFB symmetric
   * @return the TPM2B_ID_OBJECT and TPM2B_ENCRYPTED_SECRET in wire format
   * @throws IllegalArgumentException when the EK has another shape
   */
  MadeCredential make(TpmPublicArea ek, byte[] objectName, byte[] credential) {
    checkShape(ek);
    try {
      byte[] seed = new byte[SHA256_BYTES];
      random.nextBytes(seed);
      byte[] encryptedSeed = encryptSeed(ek, seed);

      // Encrypt the credential as a TPM2B_DIGEST with a key derived from the seed and the name.
      byte[] symmetricKey = Kdfa.sha256(seed, "STORAGE", objectName, new byte[0], 128);
      Cipher aes = Cipher.getInstance("AES/CFB/NoPadding");
      aes.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(symmetricKey, "AES"),
          new IvParameterSpec(new byte[16]));
      byte[] encIdentity = aes.doFinal(tpm2b(credential));

      // Protect integrity with an HMAC over the encrypted credential and the name.
      byte[] hmacKey = Kdfa.sha256(seed, "INTEGRITY", new byte[0], new byte[0], 256);
      Mac hmac = Mac.getInstance("HmacSHA256");
      hmac.init(new SecretKeySpec(hmacKey, "HmacSHA256"));
      hmac.update(encIdentity);
      byte[] outerHmac = hmac.doFinal(objectName);

      byte[] idObject =
          ByteBuffer.allocate(2 + outerHmac.length + encIdentity.length)
              .putShort((short) outerHmac.length)
              .put(outerHmac)
              .put(encIdentity)
              .array();
      return new MadeCredential(tpm2b(idObject), tpm2b(encryptedSeed));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot run RSA-OAEP, AES-CFB or HMAC", e);
    }
  }

  private static void checkShape(TpmPublicArea ek) {
    if (ek.type() != TpmPublicArea.ALG_RSA
        || ek.nameAlg() != TpmPublicArea.ALG_SHA256
        || ek.symmetricAlg() != TpmPublicArea.ALG_AES
        || ek.symmetricKeyBits() != 128
        || ek.symmetricMode() != TpmPublicArea.ALG_CFB) {
      throw new IllegalArgumentException(
          "endorsement key is not an RSA key with SHA-256 names and AES-128-CFB protection");
    }
  }

  private static byte[] encryptSeed(TpmPublicArea ek, byte[] seed) throws GeneralSecurityException {
    Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPPadding");
    OAEPParameterSpec oaep =
        new OAEPParameterSpec(
            "SHA-256",
            "MGF1",
            MGF1ParameterSpec.SHA256,
            new PSource.PSpecified("IDENTITY\0".getBytes(StandardCharsets.US_ASCII)));
    rsa.init(Cipher.ENCRYPT_MODE, ek.publicKey(), oaep);
    return rsa.doFinal(seed);
  }

  private static byte[] tpm2b(byte[] content) {
    return ByteBuffer.allocate(2 + content.length)
        .putShort((short) content.length)
        .put(content)
        .array();
  }

  /** The two inputs of TPM2_ActivateCredential, in wire format. */
  static final class MadeCredential {
    private final byte[] credentialBlob;
    private final byte[] encryptedSecret;

    MadeCredential(byte[] credentialBlob, byte[] encryptedSecret) {
      this.credentialBlob = credentialBlob;
      this.encryptedSecret = encryptedSecret;
    }

    byte[] credentialBlob() {
      return credentialBlob.clone();
    }

    byte[] encryptedSecret() {
      return encryptedSecret.clone();
    }
  }
}
