package org.hpcs.attest.sevsnp;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hpcs.attest.AttestationException;
import org.hpcs.attest.internal.CertificateFiles;
import org.hpcs.attest.internal.Settings;

/**
 * Server-side sev-snp settings: AMD's certificates and the policy a report must meet.
 *
 * @param chain the ARK and ASK for the processor product
 * @param measurements allowed launch measurements, lowercase hex
 * @param minimumTcb the lowest accepted reported TCB, per component
 * @param versions accepted report versions
 * @param maxVmpl the highest accepted VMPL
 * @param nonceTtl the maximum age of a challenge when its evidence is verified
 */
record SevSnpVerifierConfig(
    AmdCertificateChain chain,
    Set<String> measurements,
    TcbVersion minimumTcb,
    Set<Integer> versions,
    int maxVmpl,
    Duration nonceTtl) {
  static final String ARK_CERT = "ark-cert";
  static final String ASK_CERT = "ask-cert";
  static final String MEASUREMENTS = "measurements";
  static final String MIN_TCB = "min-tcb";
  static final String REPORT_VERSIONS = "report-versions";
  static final String MAX_VMPL = "max-vmpl";
  static final String NONCE_TTL = "nonce-ttl-seconds";

  private static final Set<String> KEYS =
      Set.of(ARK_CERT, ASK_CERT, MEASUREMENTS, MIN_TCB, REPORT_VERSIONS, MAX_VMPL, NONCE_TTL);
  private static final int MEASUREMENT_HEX = 96;

  /** Reads and checks every key, reporting all problems at once. */
  static SevSnpVerifierConfig parse(Map<String, String> config) throws AttestationException {
    Settings settings = new Settings(SevSnpProvider.NAME, config, KEYS);
    Optional<Path> arkFile = settings.requiredFile(ARK_CERT);
    Optional<Path> askFile = settings.requiredFile(ASK_CERT);
    Set<String> measurements = measurements(settings);
    TcbVersion minimum = minimumTcb(settings);
    Set<Integer> versions = versions(settings);
    int maxVmpl = (int) settings.integer(MAX_VMPL, 0, 0, 3);
    long ttl = settings.integer(NONCE_TTL, 300, 1, 86_400);
    Optional<AmdCertificateChain> chain = chain(settings, arkFile, askFile);
    settings.check();
    return new SevSnpVerifierConfig(
        chain.orElseThrow(), measurements, minimum, versions, maxVmpl, Duration.ofSeconds(ttl));
  }

  private static Set<String> measurements(Settings settings) {
    Set<String> out = new LinkedHashSet<>();
    settings.required(MEASUREMENTS);
    for (String item : settings.list(MEASUREMENTS, "")) {
      String hex = item.toLowerCase(Locale.ROOT);
      if (hex.length() != MEASUREMENT_HEX || !isHex(hex)) {
        settings.problem(
            MEASUREMENTS, "has '" + item.strip() + "', expected 96 hex digits (SHA-384)");
      }
      out.add(hex);
    }
    return Set.copyOf(out);
  }

  private static boolean isHex(String text) {
    return text.chars().allMatch(HexFormat::isHexDigit);
  }

  private static TcbVersion minimumTcb(Settings settings) {
    Map<String, Integer> parts = new HashMap<>();
    for (String item : settings.list(MIN_TCB, "")) {
      String[] pair = item.strip().split("=", 2);
      Set<String> names = Set.of("fmc", "bootloader", "tee", "snp", "microcode");
      if (pair.length != 2
          || !names.contains(pair[0].strip())
          || !pair[1].strip().matches("\\d{1,3}")
          || Integer.parseInt(pair[1].strip()) > 255) {
        settings.problem(
            MIN_TCB, "has '" + item.strip() + "', expected NAME=0..255 with NAME one of " + names);
        continue;
      }
      parts.put(pair[0].strip(), Integer.parseInt(pair[1].strip()));
    }
    return new TcbVersion(
        parts.getOrDefault("fmc", 0),
        parts.getOrDefault("bootloader", 0),
        parts.getOrDefault("tee", 0),
        parts.getOrDefault("snp", 0),
        parts.getOrDefault("microcode", 0));
  }

  private static Set<Integer> versions(Settings settings) {
    Set<Integer> out = new LinkedHashSet<>();
    for (String value : settings.list(REPORT_VERSIONS, "2,3")) {
      if (!value.matches("[2-9]")) {
        settings.problem(
            REPORT_VERSIONS, "has '" + value + "', expected report versions such as 2,3");
        continue;
      }
      out.add(Integer.parseInt(value));
    }
    return Set.copyOf(out);
  }

  private static Optional<AmdCertificateChain> chain(
      Settings settings, Optional<Path> arkFile, Optional<Path> askFile) {
    if (arkFile.isEmpty() || askFile.isEmpty()) {
      return Optional.empty();
    }
    try {
      X509Certificate ark = single(arkFile.get());
      X509Certificate ask = single(askFile.get());
      return Optional.of(AmdCertificateChain.of(ark, ask));
    } catch (IOException | GeneralSecurityException e) {
      settings.problem(ARK_CERT + "/" + ASK_CERT, "cannot be used: " + e.getMessage());
      return Optional.empty();
    }
  }

  private static X509Certificate single(Path file) throws IOException {
    List<X509Certificate> certificates = CertificateFiles.read(file);
    if (certificates.size() != 1) {
      throw new IOException(
          file + " contains " + certificates.size() + " certificates, expected exactly one");
    }
    return certificates.get(0);
  }
}
