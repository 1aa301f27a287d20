package org.hpcs.attest.sevsnp;

import java.util.Optional;
import org.hpcs.attest.AttestationException;

/** A guest interface that returns SEV-SNP attestation reports. */
interface ReportSource {
  /**
   * Requests a report.
   *
   * @param reportData the 64 bytes to place in the report
   * @param vmpl the VMPL to request the report from
   * @return the report and, when the interface returns one, the certificate table
   * @throws AttestationException with {@link SevSnpReasons#REPORT_REQUEST_FAILED}
   */
  Result fetch(byte[] reportData, int vmpl) throws AttestationException;

  /** A raw report and the optional certificate table that came with it. */
  final class Result {
    private final byte[] report;
    private final Optional<byte[]> certificateTable;

    Result(byte[] report, Optional<byte[]> certificateTable) {
      this.report = report.clone();
      this.certificateTable = certificateTable.map(byte[]::clone);
    }

    byte[] report() {
      return report.clone();
    }

    Optional<byte[]> certificateTable() {
      return certificateTable.map(byte[]::clone);
    }
  }
}
