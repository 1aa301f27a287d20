package org.hpcs.attest.sevsnp;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.hpcs.attest.AttestationException;

/**
 * AMD's root (ARK) and intermediate (ASK) certificates for one processor product, read from files
 * at start-up, and the checks of a VCEK against them and against a report. No network access.
 *
 * <p>AMD signs the ARK, ASK and VCEK certificates with RSASSA-PSS (SHA-384, MGF1 SHA-384, salt 48);
 * the JDK's PKIX validator accepts these signatures.
 */
final class AmdCertificateChain {
  private static final String HW_ID_OID = "1.3.6.1.4.1.3704.1.4";
  private static final String BOOT_LOADER_OID = "1.3.6.1.4.1.3704.1.3.1";
  private static final String TEE_OID = "1.3.6.1.4.1.3704.1.3.2";
  private static final String SNP_OID = "1.3.6.1.4.1.3704.1.3.3";
  private static final String MICROCODE_OID = "1.3.6.1.4.1.3704.1.3.8";

  private final X509Certificate ark;
  private final X509Certificate ask;

  private AmdCertificateChain(X509Certificate ark, X509Certificate ask) {
    this.ark = ark;
    this.ask = ask;
  }

  /**
   * Checks that the ARK is self-signed and signed the ASK.
   *
   * @throws GeneralSecurityException naming the certificate that fails
   */
  static AmdCertificateChain of(X509Certificate ark, X509Certificate ask)
      throws GeneralSecurityException {
    try {
      ark.verify(ark.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new GeneralSecurityException(
          "ARK certificate " + ark.getSubjectX500Principal() + " is not self-signed", e);
    }
    try {
      ask.verify(ark.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new GeneralSecurityException(
          "ASK certificate "
              + ask.getSubjectX500Principal()
              + " is not signed by the ARK "
              + ark.getSubjectX500Principal(),
          e);
    }
    return new AmdCertificateChain(ark, ask);
  }

  /** Validates VCEK → ASK → ARK with the JDK's PKIX validator, without revocation checks. */
  void validate(X509Certificate vcek) throws AttestationException {
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      CertPath path = factory.generateCertPath(List.of(vcek, ask));
      PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(ark, null)));
      // NOTE: AMD publishes a CRL for each ASK; it is not checked here because verification runs
      // without network access.
      parameters.setRevocationEnabled(false);
      CertPathValidator.getInstance("PKIX").validate(path, parameters);
    } catch (CertPathValidatorException e) {
      throw new AttestationException(
          SevSnpReasons.VCEK_CHAIN_INVALID,
          "VCEK certificate "
              + vcek.getSubjectX500Principal()
              + " does not chain to the configured ASK and ARK ("
              + e.getMessage()
              + "); check that ark-cert and ask-cert are for this processor product",
          e);
    } catch (CertificateException | InvalidAlgorithmParameterException e) {
      throw new IllegalStateException("the JDK cannot build a PKIX validation", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no PKIX validator", e);
    }
  }

  /**
   * Checks that the VCEK was issued for the report's chip and reported TCB, when the certificate
   * carries AMD's hwID and TCB extensions. A chip ID of all zeros (masked by guest policy) is not
   * compared.
   */
  static void checkMatchesReport(X509Certificate vcek, SnpReport report)
      throws AttestationException {
    try {
      checkChip(vcek, report);
      TcbVersion tcb = report.reportedTcb();
      checkTcbComponent(vcek, BOOT_LOADER_OID, "bootloader", tcb.bootLoader());
      checkTcbComponent(vcek, TEE_OID, "tee", tcb.tee());
      checkTcbComponent(vcek, SNP_OID, "snp", tcb.snp());
      checkTcbComponent(vcek, MICROCODE_OID, "microcode", tcb.microcode());
    } catch (IllegalArgumentException e) {
      throw new AttestationException(
          SevSnpReasons.VCEK_MISMATCH,
          "VCEK certificate "
              + vcek.getSubjectX500Principal()
              + " has a malformed AMD extension: "
              + e.getMessage(),
          e);
    }
  }

  private static void checkChip(X509Certificate vcek, SnpReport report)
      throws AttestationException {
    Optional<byte[]> hwId = DerExtensions.octetString(vcek, HW_ID_OID);
    byte[] chipId = report.chipId();
    boolean masked = Arrays.equals(chipId, new byte[chipId.length]);
    if (hwId.isPresent() && !masked && !Arrays.equals(hwId.get(), chipId)) {
      throw new AttestationException(
          SevSnpReasons.VCEK_MISMATCH,
          "VCEK certificate is for chip "
              + HexFormat.of().formatHex(hwId.get())
              + " but the report comes from chip "
              + HexFormat.of().formatHex(chipId)
              + "; send the VCEK of the node's own processor");
    }
  }

  private static void checkTcbComponent(X509Certificate vcek, String oid, String name, int reported)
      throws AttestationException {
    OptionalInt certified = DerExtensions.smallInteger(vcek, oid);
    if (certified.isPresent() && certified.getAsInt() != reported) {
      throw new AttestationException(
          SevSnpReasons.VCEK_MISMATCH,
          "VCEK certificate is for "
              + name
              + " patch level "
              + certified.getAsInt()
              + " but the report's reported TCB has "
              + reported
              + "; fetch the VCEK for the node's current reported TCB");
    }
  }
}
