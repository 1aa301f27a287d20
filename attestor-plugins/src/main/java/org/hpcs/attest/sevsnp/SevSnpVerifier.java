package org.hpcs.attest.sevsnp;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hpcs.attest.AttestationException;
import org.hpcs.attest.AttestedNode;
import org.hpcs.attest.Challenge;
import org.hpcs.attest.Evidence;
import org.hpcs.attest.EvidenceVerifier;
import org.hpcs.attest.NonceStore;
import org.hpcs.attest.internal.CertificateFiles;
import org.hpcs.attest.internal.EvidenceFields;

/**
 * Verifies an SEV-SNP attestation report: VCEK chain to AMD's ARK, report signature, report data
 * bound to the challenge, and the configured policy. Fails closed on anything unexpected.
 */
final class SevSnpVerifier implements EvidenceVerifier {
  private final SevSnpVerifierConfig config;
  private final NonceStore nonces;
  private final Clock clock;

  SevSnpVerifier(SevSnpVerifierConfig config, NonceStore nonces, Clock clock) {
    this.config = config;
    this.nonces = nonces;
    this.clock = clock;
  }

  @Override
  public String name() {
    return SevSnpProvider.NAME;
  }

  @Override
  public AttestedNode verify(Challenge challenge, Evidence evidence) throws AttestationException {
    Instant expiresAt = checkFresh(challenge);
    SevSnpEvidence decoded = SevSnpEvidence.decode(evidence);
    SnpReport report = parse(decoded.report());

    // The report must be of a known version and signed by a VCEK with ECDSA P-384.
    checkFormat(report);

    // The VCEK must chain to AMD's root and match the chip and TCB in the report.
    X509Certificate vcek = vcek(decoded.vcekCertificate());
    config.chain().validate(vcek);
    AmdCertificateChain.checkMatchesReport(vcek, report);
    checkSignature(vcek, report);

    // The report data must bind this challenge, and the nonce must be new.
    byte[] expected =
        ReportData.compute(challenge.nodeName(), challenge.nonce(), decoded.agentPublicKey());
    if (!MessageDigest.isEqual(expected, report.reportData())) {
      throw new AttestationException(
          SevSnpReasons.REPORT_DATA_MISMATCH,
          "report data of node "
              + challenge.nodeName()
              + " does not bind this challenge's nonce and agent key; the report was made for"
              + " another or an older challenge, so request a new challenge and a new report");
    }
    if (!nonces.markUsed(name(), challenge.nonce(), expiresAt)) {
      throw new AttestationException(
          SevSnpReasons.NONCE_REPLAYED,
          "nonce for node " + challenge.nodeName() + " was already used; request a new challenge");
    }

    // The guest must meet the site's policy.
    SevSnpPolicyCheck.check(config, report, challenge.nodeName());
    return new AttestedNode(challenge.nodeName(), name(), selectors(report, decoded));
  }

  private Instant checkFresh(Challenge challenge) throws AttestationException {
    Optional<Instant> issuedAt = challenge.issuedAt();
    if (issuedAt.isEmpty()) {
      throw new AttestationException(
          SevSnpReasons.ISSUE_TIME_MISSING,
          "challenge for node "
              + challenge.nodeName()
              + " has no issue time; the server must create challenges with an issue time");
    }
    Instant expiresAt = issuedAt.get().plus(config.nonceTtl());
    if (!clock.instant().isBefore(expiresAt)) {
      throw new AttestationException(
          SevSnpReasons.NONCE_EXPIRED,
          "challenge for node "
              + challenge.nodeName()
              + " was issued at "
              + issuedAt.get()
              + " and expired after "
              + config.nonceTtl().toSeconds()
              + " s; request a new challenge");
    }
    return expiresAt;
  }

  private static SnpReport parse(byte[] bytes) throws AttestationException {
    try {
      return SnpReport.parse(bytes);
    } catch (MalformedReportException e) {
      throw new AttestationException(
          SevSnpReasons.REPORT_MALFORMED, "SEV-SNP report is malformed: " + e.getMessage(), e);
    }
  }

  private void checkFormat(SnpReport report) throws AttestationException {
    if (!config.versions().contains(report.version())) {
      throw new AttestationException(
          SevSnpReasons.VERSION_UNSUPPORTED,
          "SEV-SNP report version "
              + report.version()
              + " is not accepted (accepted: "
              + config.versions()
              + "); add it to "
              + SevSnpVerifierConfig.REPORT_VERSIONS
              + " once this verifier supports its layout");
    }
    if (report.signatureAlgo() != SnpReport.SIGNATURE_ALGO_ECDSA_P384_SHA384) {
      throw new AttestationException(
          SevSnpReasons.SIGNATURE_ALGORITHM_UNSUPPORTED,
          "SEV-SNP report uses signature algorithm "
              + report.signatureAlgo()
              + "; only 1 (ECDSA P-384 with SHA-384) is supported");
    }
    if (report.signingKey() != 0) {
      throw new AttestationException(
          SevSnpReasons.SIGNING_KEY_UNSUPPORTED,
          "SEV-SNP report was signed by key type "
              + report.signingKey()
              + " (1 = VLEK, 7 = none); only VCEK-signed reports are accepted");
    }
  }

  private static X509Certificate vcek(byte[] der) throws AttestationException {
    try {
      List<X509Certificate> certificates = CertificateFiles.parse(der);
      if (certificates.size() == 1) {
        return certificates.get(0);
      }
    } catch (CertificateException e) {
      throw new AttestationException(
          SevSnpReasons.VCEK_CHAIN_INVALID, "VCEK certificate is not valid X.509", e);
    }
    throw new AttestationException(
        SevSnpReasons.VCEK_CHAIN_INVALID, "evidence must carry exactly one VCEK certificate");
  }

  private static void checkSignature(X509Certificate vcek, SnpReport report)
      throws AttestationException {
    boolean valid;
    try {
      Signature verifier = Signature.getInstance("SHA384withECDSAinP1363Format");
      verifier.initVerify(vcek.getPublicKey());
      verifier.update(report.signedBytes());
      valid = verifier.verify(report.signatureP1363());
    } catch (GeneralSecurityException e) {
      throw new AttestationException(
          SevSnpReasons.SIGNATURE_INVALID,
          "SEV-SNP report signature cannot be checked with the VCEK: " + e.getMessage(),
          e);
    }
    if (!valid) {
      throw new AttestationException(
          SevSnpReasons.SIGNATURE_INVALID,
          "SEV-SNP report signature does not verify with VCEK " + vcek.getSubjectX500Principal());
    }
  }

  private static Map<String, String> selectors(SnpReport report, SevSnpEvidence evidence)
      throws AttestationException {
    HexFormat hex = HexFormat.of();
    Map<String, String> out = new java.util.TreeMap<>();
    out.put("measurement", hex.formatHex(report.measurement()));
    out.put("chip-id", hex.formatHex(report.chipId()));
    out.put("host-data", hex.formatHex(report.hostData()));
    out.put("guest-svn", Integer.toString(report.guestSvn()));
    out.put("reported-tcb", report.reportedTcb().toString());
    if (evidence.agentPublicKey().length > 0) {
      out.put("agent-public-key-sha256", hex.formatHex(sha256(evidence.agentPublicKey())));
    }
    return out;
  }

  private static byte[] sha256(byte[] input) throws AttestationException {
    try {
      return MessageDigest.getInstance("SHA-256").digest(input);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  /** The decoded evidence fields. */
  static final class SevSnpEvidence {
    static final String REPORT = "report";
    static final String VCEK_CERTIFICATE = "vcekCertificate";
    static final String AGENT_PUBLIC_KEY = "agentPublicKey";

    private final byte[] report;
    private final byte[] vcekCertificate;
    private final byte[] agentPublicKey;

    private SevSnpEvidence(byte[] report, byte[] vcekCertificate, byte[] agentPublicKey) {
      this.report = report;
      this.vcekCertificate = vcekCertificate;
      this.agentPublicKey = agentPublicKey;
    }

    static SevSnpEvidence decode(Evidence evidence) throws AttestationException {
      EvidenceFields fields = new EvidenceFields(evidence);
      return new SevSnpEvidence(
          fields.bytes(REPORT),
          fields.bytes(VCEK_CERTIFICATE),
          fields.optionalBytes(AGENT_PUBLIC_KEY).orElse(new byte[0]));
    }

    byte[] report() {
      return report.clone();
    }

    byte[] vcekCertificate() {
      return vcekCertificate.clone();
    }

    byte[] agentPublicKey() {
      return agentPublicKey.clone();
    }
  }
}
