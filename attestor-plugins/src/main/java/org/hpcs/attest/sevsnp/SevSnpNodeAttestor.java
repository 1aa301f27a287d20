package org.hpcs.attest.sevsnp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hpcs.attest.AttestationException;
import org.hpcs.attest.Challenge;
import org.hpcs.attest.Evidence;
import org.hpcs.attest.NodeAttestor;
import org.hpcs.attest.internal.CertificateFiles;
import org.hpcs.attest.internal.PublicKeyFiles;

/**
 * Node side of sev-snp: requests a report whose report data binds the challenge (see {@link
 * ReportData}) and sends it with the VCEK certificate.
 */
final class SevSnpNodeAttestor implements NodeAttestor {
  private final SevSnpNodeConfig config;

  SevSnpNodeAttestor(SevSnpNodeConfig config) {
    this.config = config;
  }

  @Override
  public String name() {
    return SevSnpProvider.NAME;
  }

  @Override
  public Evidence attest(Challenge challenge) throws AttestationException {
    ReportSource source = chooseSource();
    byte[] agentKey = agentPublicKey();
    byte[] reportData = ReportData.compute(challenge.nodeName(), challenge.nonce(), agentKey);
    ReportSource.Result result = source.fetch(reportData, config.vmpl());
    byte[] vcek = vcek(result.certificateTable());

    Map<String, String> fields = new HashMap<>();
    Base64.Encoder base64 = Base64.getEncoder();
    fields.put(SevSnpVerifier.SevSnpEvidence.REPORT, base64.encodeToString(result.report()));
    fields.put(SevSnpVerifier.SevSnpEvidence.VCEK_CERTIFICATE, base64.encodeToString(vcek));
    if (agentKey.length > 0) {
      fields.put(SevSnpVerifier.SevSnpEvidence.AGENT_PUBLIC_KEY, base64.encodeToString(agentKey));
    }
    return new Evidence(name(), fields);
  }

  /** Picks the configured interface, or in auto mode the first one present. */
  ReportSource chooseSource() throws AttestationException {
    Path tsm = config.configfsTsmDir();
    Path device = config.sevGuestDevice();
    boolean wantTsm = !config.source().equals(SevSnpNodeConfig.SOURCE_SEV_GUEST);
    boolean wantDevice = !config.source().equals(SevSnpNodeConfig.SOURCE_CONFIGFS_TSM);
    if (wantTsm && Files.isDirectory(tsm)) {
      return new ConfigfsTsmSource(tsm);
    }
    if (wantDevice && Files.exists(device)) {
      return new SevGuestSource(device);
    }
    throw new AttestationException(
        SevSnpReasons.UNAVAILABLE,
        "SEV-SNP is not available on this node: "
            + (wantTsm ? tsm + " does not exist" : "")
            + (wantTsm && wantDevice ? " and " : "")
            + (wantDevice ? device + " does not exist" : "")
            + ". Run the node agent inside an SEV-SNP guest (configfs-tsm needs Linux 6.7 or"
            + " later and the sev-guest module), or configure another attestor");
  }

  private byte[] agentPublicKey() throws AttestationException {
    Optional<Path> file = config.agentPublicKey();
    if (file.isEmpty()) {
      return new byte[0];
    }
    try {
      return PublicKeyFiles.readSubjectPublicKeyInfo(file.get());
    } catch (IOException e) {
      throw new AttestationException(
          SevSnpReasons.REPORT_REQUEST_FAILED,
          "cannot read the agent public key " + file.get() + ": " + e.getMessage(),
          e);
    }
  }

  private byte[] vcek(Optional<byte[]> table) throws AttestationException {
    Optional<byte[]> fromTable =
        table.flatMap(t -> CertificateTable.find(t, CertificateTable.VCEK_GUID));
    if (fromTable.isPresent()) {
      return fromTable.get();
    }
    Optional<Path> file = config.vcekCertificate();
    if (file.isEmpty()) {
      throw new AttestationException(
          SevSnpReasons.REPORT_REQUEST_FAILED,
          "the host supplied no VCEK certificate with the report and "
              + SevSnpNodeConfig.VCEK_CERT
              + " is not set; fetch this processor's VCEK from AMD's key distribution service"
              + " and set "
              + SevSnpNodeConfig.VCEK_CERT);
    }
    try {
      List<X509Certificate> certificates = CertificateFiles.read(file.get());
      return certificates.get(0).getEncoded();
    } catch (IOException | CertificateException e) {
      throw new AttestationException(
          SevSnpReasons.REPORT_REQUEST_FAILED,
          "cannot read the VCEK certificate " + file.get() + ": " + e.getMessage(),
          e);
    }
  }
}
