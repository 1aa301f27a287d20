package org.hpcs.attest.sevsnp;

import java.util.HexFormat;
import org.hpcs.attest.AttestationException;

/** The site policy that a signed, fresh report must also meet. */
final class SevSnpPolicyCheck {
  private SevSnpPolicyCheck() {}

  static void check(SevSnpVerifierConfig config, SnpReport report, String node)
      throws AttestationException {
    if (report.debugAllowed()) {
      throw new AttestationException(
          SevSnpReasons.DEBUG_ENABLED,
          "guest policy of node "
              + node
              + " allows debugging (policy bit 19), so the host can read guest memory; launch the"
              + " guest with debugging disabled");
    }
    if (report.vmpl() > config.maxVmpl()) {
      throw new AttestationException(
          SevSnpReasons.VMPL_NOT_ALLOWED,
          "report of node "
              + node
              + " was requested at VMPL "
              + report.vmpl()
              + ", above the configured maximum "
              + config.maxVmpl()
              + "; raise "
              + SevSnpVerifierConfig.MAX_VMPL
              + " if the guest runs under a service module");
    }
    String measurement = HexFormat.of().formatHex(report.measurement());
    if (!config.measurements().contains(measurement)) {
      throw new AttestationException(
          SevSnpReasons.MEASUREMENT_NOT_ALLOWED,
          "launch measurement "
              + measurement
              + " of node "
              + node
              + " is not on the allow-list; add it to "
              + SevSnpVerifierConfig.MEASUREMENTS
              + " if this guest image is trusted");
    }
    TcbVersion reported = report.reportedTcb();
    if (!reported.meets(config.minimumTcb())) {
      throw new AttestationException(
          SevSnpReasons.TCB_BELOW_MINIMUM,
          "reported TCB of node "
              + node
              + " is "
              + reported
              + ", below the minimum "
              + config.minimumTcb()
              + "; update the host firmware and microcode");
    }
  }
}
