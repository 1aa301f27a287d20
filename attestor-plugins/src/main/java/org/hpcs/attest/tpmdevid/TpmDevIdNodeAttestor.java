package org.hpcs.attest.tpmdevid;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.hpcs.attest.AttestationException;
import org.hpcs.attest.Challenge;
import org.hpcs.attest.Evidence;
import org.hpcs.attest.NodeAttestor;
import org.hpcs.attest.internal.CertificateFiles;
import org.hpcs.attest.tpmdevid.tss.TpmContext;
import org.hpcs.attest.tpmdevid.tss.TpmException;

/**
 * Node side of tpm-devid. For a first-round challenge it sends the claim: DevID certificates, the
 * TPM public areas of the DevID key and the EK, and the EK certificate. For the follow-up it adds a
 * DevID signature over the proof message and the credential that TPM2_ActivateCredential recovers.
 */
final class TpmDevIdNodeAttestor implements NodeAttestor {
  private final TpmDevIdNodeConfig config;

  TpmDevIdNodeAttestor(TpmDevIdNodeConfig config) {
    this.config = config;
  }

  @Override
  public String name() {
    return TpmDevIdProvider.NAME;
  }

  @Override
  public Evidence attest(Challenge challenge) throws AttestationException {
    byte[] certificates = devIdCertificates();
    try (TpmContext tpm = open()) {
      Map<String, String> fields = claim(tpm, certificates);
      Map<String, String> parameters = challenge.parameters();
      if (parameters.containsKey(EvidenceNames.CREDENTIAL_BLOB)) {
        Base64.Encoder base64 = Base64.getEncoder();
        byte[] signature = sign(tpm, challenge);
        fields.put(EvidenceNames.SIGNATURE, base64.encodeToString(signature));
        byte[] credential = activate(tpm, parameters);
        fields.put(EvidenceNames.ACTIVATED_CREDENTIAL, base64.encodeToString(credential));
      }
      return new Evidence(name(), fields);
    }
  }

  private TpmContext open() throws AttestationException {
    try {
      return TpmContext.open(config.tcti());
    } catch (TpmException e) {
      throw new AttestationException(
          TpmDevIdReasons.TPM_UNAVAILABLE,
          "cannot reach the TPM: "
              + e.getMessage()
              + "; check the "
              + TpmDevIdNodeConfig.TCTI
              + " setting and that the TPM device or simulator is up",
          e);
    }
  }

  private Map<String, String> claim(TpmContext tpm, byte[] certificates)
      throws AttestationException {
    Base64.Encoder base64 = Base64.getEncoder();
    Map<String, String> fields = new HashMap<>();
    fields.put(EvidenceNames.DEVID_CERTIFICATES, base64.encodeToString(certificates));
    try {
      byte[] devIdPublic = tpm.readPublic(config.devIdHandle());
      fields.put(EvidenceNames.DEVID_PUBLIC, base64.encodeToString(devIdPublic));
      byte[] ekPublic =
          tpm.readEndorsementPublic(config.ekHandle(), TpmTemplates.endorsementKeyRsa2048());
      fields.put(EvidenceNames.EK_PUBLIC, base64.encodeToString(ekPublic));
      if (config.ekCertificateIndex().isPresent()) {
        Optional<byte[]> ekCertificate = tpm.readNvIndex(config.ekCertificateIndex().get());
        ekCertificate.ifPresent(
            der -> fields.put(EvidenceNames.EK_CERTIFICATE, base64.encodeToString(trimDer(der))));
      }
    } catch (TpmException e) {
      throw operationFailed(e);
    }
    return fields;
  }

  private byte[] sign(TpmContext tpm, Challenge challenge) throws AttestationException {
    byte[] digest = ProofMessage.digest(challenge.nodeName(), challenge.nonce());
    try {
      return p1363(tpm.signEcdsaSha256(config.devIdHandle(), digest));
    } catch (TpmException e) {
      throw operationFailed(e);
    }
  }

  private byte[] activate(TpmContext tpm, Map<String, String> parameters)
      throws AttestationException {
    Base64.Decoder base64 = Base64.getDecoder();
    try {
      return tpm.activateCredential(
          config.devIdHandle(),
          config.ekHandle(),
          TpmTemplates.endorsementKeyRsa2048(),
          base64.decode(parameters.getOrDefault(EvidenceNames.CREDENTIAL_BLOB, "")),
          base64.decode(parameters.getOrDefault(EvidenceNames.ENCRYPTED_SECRET, "")));
    } catch (TpmException e) {
      throw new AttestationException(
          TpmDevIdReasons.TPM_ACTIVATION_FAILED,
          "the TPM cannot activate the server's credential: "
              + e.getMessage()
              + "; the DevID key at 0x"
              + Integer.toHexString(config.devIdHandle())
              + " and the endorsement key are not those the server checked",
          e);
    } catch (IllegalArgumentException e) {
      throw new AttestationException(
          TpmDevIdReasons.TPM_ACTIVATION_FAILED, "the follow-up challenge is not valid base64", e);
    }
  }

  private byte[] devIdCertificates() throws AttestationException {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (X509Certificate certificate : CertificateFiles.read(config.devIdCertificate())) {
        out.writeBytes(certificate.getEncoded());
      }
      return out.toByteArray();
    } catch (IOException | CertificateEncodingException e) {
      throw new AttestationException(
          TpmDevIdReasons.TPM_OPERATION_FAILED,
          "cannot read the DevID certificate "
              + config.devIdCertificate()
              + ": "
              + e.getMessage()
              + "; install the certificate the site CA issued for this node",
          e);
    }
  }

  private AttestationException operationFailed(TpmException e) {
    return new AttestationException(
        TpmDevIdReasons.TPM_OPERATION_FAILED,
        "TPM command failed: "
            + e.getMessage()
            + "; run the tpm-devid provisioning command if the DevID key is missing",
        e);
  }

  /** Converts an ECDSA TPMT_SIGNATURE (alg, hash, r, s) to r || s, 32 bytes each. */
  static byte[] p1363(byte[] signature) throws TpmException {
    ByteBuffer in = ByteBuffer.wrap(signature);
    int algorithm = Short.toUnsignedInt(in.getShort());
    if (algorithm != TpmPublicArea.ALG_ECDSA) {
      throw new TpmException(
          "TPM returned signature algorithm 0x"
              + Integer.toHexString(algorithm)
              + ", expected ECDSA",
          0);
    }
    in.getShort();
    byte[] out = new byte[64];
    for (int part = 0; part < 2; part++) {
      byte[] value = new byte[Short.toUnsignedInt(in.getShort())];
      in.get(value);
      if (value.length > 32) {
        throw new TpmException("TPM returned an ECDSA value of " + value.length + " bytes", 0);
      }
      System.arraycopy(value, 0, out, 32 * part + 32 - value.length, value.length);
    }
    return out;
  }

  /** Cuts the padding that some TPMs leave after the DER certificate in its NV index. */
  static byte[] trimDer(byte[] der) {
    if (der.length < 4 || der[0] != 0x30 || (der[1] & 0xFF) != 0x82) {
      return der;
    }
    int length = 4 + (((der[2] & 0xFF) << 8) | (der[3] & 0xFF));
    return length <= der.length ? Arrays.copyOf(der, length) : der;
  }
}
