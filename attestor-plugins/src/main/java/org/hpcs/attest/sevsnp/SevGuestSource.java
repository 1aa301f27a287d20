package org.hpcs.attest.sevsnp;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.hpcs.attest.AttestationException;
import org.hpcs.attest.sevsnp.guest.SevGuestDevice;

/** Requests reports with the SNP_GET_REPORT ioctl; returns no certificate table. */
final class SevGuestSource implements ReportSource {
  private final SevGuestDevice device;
  private final Path path;

  SevGuestSource(Path path) {
    this.path = path;
    this.device = new SevGuestDevice(path);
  }

  @Override
  public Result fetch(byte[] reportData, int vmpl) throws AttestationException {
    try {
      return new Result(device.report(reportData, vmpl), Optional.empty());
    } catch (IOException e) {
      throw new AttestationException(
          SevSnpReasons.REPORT_REQUEST_FAILED,
          "SEV-SNP report request on " + path + " failed: " + e.getMessage(),
          e);
    }
  }
}
