package org.hpcs.attest.tpmdevid;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hpcs.attest.AttestationException;
import org.hpcs.attest.internal.Settings;

/**
 * Node-side tpm-devid settings.
 *
 * @param tcti the TCTI string, for example {@code device:/dev/tpmrm0}
 * @param devIdHandle the persistent handle of the DevID key
 * @param devIdCertificate PEM file with the DevID certificate, then any intermediates
 * @param ekHandle the persistent handle of the EK; the EK is recreated from the default template
 *     when nothing is stored there
 * @param ekCertificateIndex the NV index of the EK certificate, or empty to send none
 */
record TpmDevIdNodeConfig(
    String tcti,
    int devIdHandle,
    Path devIdCertificate,
    int ekHandle,
    Optional<Integer> ekCertificateIndex) {
  static final String TCTI = "tcti";
  static final String DEVID_HANDLE = "devid-handle";
  static final String DEVID_CERT = "devid-cert";
  static final String EK_HANDLE = "ek-handle";
  static final String EK_CERT_NV_INDEX = "ek-cert-nv-index";

  static final String DEFAULT_TCTI = "device:/dev/tpmrm0";
  static final int DEFAULT_DEVID_HANDLE = 0x81010002;
  static final int DEFAULT_EK_HANDLE = 0x81010001;
  static final int DEFAULT_EK_CERT_INDEX = 0x01C00002;

  private static final Set<String> KEYS =
      Set.of(TCTI, DEVID_HANDLE, DEVID_CERT, EK_HANDLE, EK_CERT_NV_INDEX);

  static TpmDevIdNodeConfig parse(Map<String, String> config) throws AttestationException {
    Settings settings = new Settings(TpmDevIdProvider.NAME, config, KEYS);
    String tcti = settings.optional(TCTI).orElse(DEFAULT_TCTI);
    int devId = persistentHandle(settings, DEVID_HANDLE, DEFAULT_DEVID_HANDLE);
    Optional<Path> certificate = settings.requiredFile(DEVID_CERT);
    int ek = persistentHandle(settings, EK_HANDLE, DEFAULT_EK_HANDLE);
    Optional<Integer> index = Optional.of(DEFAULT_EK_CERT_INDEX);
    Optional<String> indexText = settings.optional(EK_CERT_NV_INDEX);
    if (indexText.isPresent() && indexText.get().equals("none")) {
      index = Optional.empty();
    } else if (indexText.isPresent()) {
      index = Optional.of((int) settings.integer(EK_CERT_NV_INDEX, 0, 0x01000000L, 0x01FFFFFFL));
    }
    settings.check();
    return new TpmDevIdNodeConfig(tcti, devId, certificate.orElseThrow(), ek, index);
  }

  private static int persistentHandle(Settings settings, String key, int defaultValue) {
    return (int) settings.integer(key, defaultValue, 0x81000000L, 0x81FFFFFFL);
  }
}
