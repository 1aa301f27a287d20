package org.hpcs.attest.sevsnp;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hpcs.attest.AttestationException;
import org.hpcs.attest.internal.Settings;

/**
 * Node-side sev-snp settings.
 *
 * @param source {@code auto}, {@code configfs-tsm} or {@code sev-guest}
 * @param configfsTsmDir the configfs-tsm report directory
 * @param sevGuestDevice the SEV guest device node
 * @param vcekCertificate a VCEK certificate file, used when the host supplies none
 * @param agentPublicKey the agent's TLS public key (PEM), bound into the report data
 * @param vmpl the VMPL to request reports from
 */
record SevSnpNodeConfig(
    String source,
    Path configfsTsmDir,
    Path sevGuestDevice,
    Optional<Path> vcekCertificate,
    Optional<Path> agentPublicKey,
    int vmpl) {
  static final String SOURCE_AUTO = "auto";
  static final String SOURCE_CONFIGFS_TSM = "configfs-tsm";
  static final String SOURCE_SEV_GUEST = "sev-guest";

  static final String REPORT_SOURCE = "report-source";
  static final String CONFIGFS_TSM_DIR = "configfs-tsm-dir";
  static final String SEV_GUEST_DEVICE = "sev-guest-device";
  static final String VCEK_CERT = "vcek-cert";
  static final String AGENT_PUBLIC_KEY = "agent-public-key";
  static final String VMPL = "vmpl";

  private static final Set<String> KEYS =
      Set.of(REPORT_SOURCE, CONFIGFS_TSM_DIR, SEV_GUEST_DEVICE, VCEK_CERT, AGENT_PUBLIC_KEY, VMPL);

  static SevSnpNodeConfig parse(Map<String, String> config) throws AttestationException {
    Settings settings = new Settings(SevSnpProvider.NAME, config, KEYS);
    String source = settings.optional(REPORT_SOURCE).orElse(SOURCE_AUTO);
    if (!Set.of(SOURCE_AUTO, SOURCE_CONFIGFS_TSM, SOURCE_SEV_GUEST).contains(source)) {
      settings.problem(
          REPORT_SOURCE, "is '" + source + "', expected auto, configfs-tsm or sev-guest");
    }
    Path tsm = Path.of(settings.optional(CONFIGFS_TSM_DIR).orElse("/sys/kernel/config/tsm/report"));
    Path device = Path.of(settings.optional(SEV_GUEST_DEVICE).orElse("/dev/sev-guest"));
    Optional<Path> vcek = settings.optionalFile(VCEK_CERT);
    Optional<Path> agentKey = settings.optionalFile(AGENT_PUBLIC_KEY);
    int vmpl = (int) settings.integer(VMPL, 0, 0, 3);
    settings.check();
    return new SevSnpNodeConfig(source, tsm, device, vcek, agentKey, vmpl);
  }
}
