package org.hpcs.attest.tpmdevid;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.hpcs.attest.AttestationException;
import org.hpcs.attest.Evidence;
import org.hpcs.attest.internal.CertificateFiles;
import org.hpcs.attest.internal.EvidenceFields;

/**
 * A node's claim about its TPM: the DevID certificate chain, the DevID key's and the endorsement
 * key's TPM public areas, and the EK certificate if the TPM has one.
 */
final class DevIdClaim {
  private final List<X509Certificate> devIdChain;
  private final TpmPublicArea devIdPublic;
  private final TpmPublicArea ekPublic;
  private final Optional<X509Certificate> ekCertificate;

  private DevIdClaim(
      List<X509Certificate> devIdChain,
      TpmPublicArea devIdPublic,
      TpmPublicArea ekPublic,
      Optional<X509Certificate> ekCertificate) {
    this.devIdChain = devIdChain;
    this.devIdPublic = devIdPublic;
    this.ekPublic = ekPublic;
    this.ekCertificate = ekCertificate;
  }

  /** Decodes the claim fields of tpm-devid evidence. */
  static DevIdClaim decode(Evidence evidence) throws AttestationException {
    EvidenceFields fields = new EvidenceFields(evidence);
    List<X509Certificate> chain = certificates(fields.bytes(EvidenceNames.DEVID_CERTIFICATES));
    if (chain.isEmpty()) {
      throw malformed("field " + EvidenceNames.DEVID_CERTIFICATES + " has no certificate", null);
    }
    TpmPublicArea devId = publicArea(fields.bytes(EvidenceNames.DEVID_PUBLIC), "DevID key");
    TpmPublicArea ek = publicArea(fields.bytes(EvidenceNames.EK_PUBLIC), "endorsement key");
    Optional<X509Certificate> ekCertificate = Optional.empty();
    Optional<byte[]> ekDer = fields.optionalBytes(EvidenceNames.EK_CERTIFICATE);
    if (ekDer.isPresent()) {
      List<X509Certificate> parsed = certificates(ekDer.get());
      ekCertificate = parsed.isEmpty() ? Optional.empty() : Optional.of(parsed.get(0));
    }
    return new DevIdClaim(chain, devId, ek, ekCertificate);
  }

  List<X509Certificate> devIdChain() {
    return devIdChain;
  }

  X509Certificate devIdCertificate() {
    return devIdChain.get(0);
  }

  TpmPublicArea devIdPublic() {
    return devIdPublic;
  }

  TpmPublicArea ekPublic() {
    return ekPublic;
  }

  Optional<X509Certificate> ekCertificate() {
    return ekCertificate;
  }

  /** Returns the lowercase hex SHA-256 of the EK's DER SubjectPublicKeyInfo. */
  String ekSha256() {
    return sha256Hex(ekPublic.publicKey().getEncoded());
  }

  /** Returns the lowercase hex TPM name of the DevID key. */
  String devIdNameHex() {
    return HexFormat.of().formatHex(devIdPublic.name());
  }

  static String sha256Hex(byte[] input) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(input));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  private static List<X509Certificate> certificates(byte[] der) throws AttestationException {
    try {
      return CertificateFiles.parse(der);
    } catch (CertificateException e) {
      throw malformed("certificate field is not valid X.509 DER", e);
    }
  }

  private static TpmPublicArea publicArea(byte[] wire, String what) throws AttestationException {
    try {
      return TpmPublicArea.parse(wire);
    } catch (IllegalArgumentException e) {
      throw malformed(what + " public area is invalid: " + e.getMessage(), e);
    }
  }

  private static AttestationException malformed(String message, Throwable cause) {
    return new AttestationException(
        EvidenceFields.EVIDENCE_MALFORMED, "tpm-devid evidence: " + message, cause);
  }
}
