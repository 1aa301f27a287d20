package org.hpcs.attest.tpmdevid;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hpcs.attest.AttestationException;
import org.hpcs.attest.internal.CertificateFiles;
import org.hpcs.attest.internal.Settings;

/**
 * Server-side tpm-devid settings.
 *
 * @param devIdAnchors the site DevID CA certificates
 * @param devIdIntermediates intermediate CA certificates for DevID chains
 * @param ekAllowList allowed EK hashes (lowercase hex SHA-256 of the SubjectPublicKeyInfo), if set
 * @param ekAnchors manufacturer root CAs for EK certificates, if set
 * @param ekIntermediates manufacturer intermediate CAs
 * @param nonceTtl the maximum age of a challenge when its evidence is verified
 */
record TpmDevIdVerifierConfig(
    Set<TrustAnchor> devIdAnchors,
    List<X509Certificate> devIdIntermediates,
    Optional<Set<String>> ekAllowList,
    Optional<Set<TrustAnchor>> ekAnchors,
    List<X509Certificate> ekIntermediates,
    Duration nonceTtl) {
  static final String DEVID_CA = "devid-ca";
  static final String DEVID_INTERMEDIATES = "devid-intermediates";
  static final String EK_ALLOW_LIST = "ek-allow-list";
  static final String EK_CA = "ek-ca";
  static final String EK_INTERMEDIATES = "ek-intermediates";
  static final String NONCE_TTL = "nonce-ttl-seconds";

  private static final Set<String> KEYS =
      Set.of(DEVID_CA, DEVID_INTERMEDIATES, EK_ALLOW_LIST, EK_CA, EK_INTERMEDIATES, NONCE_TTL);

  static TpmDevIdVerifierConfig parse(Map<String, String> config) throws AttestationException {
    Settings settings = new Settings(TpmDevIdProvider.NAME, config, KEYS);
    Set<TrustAnchor> devIdAnchors = anchors(settings, settings.requiredFile(DEVID_CA), DEVID_CA);
    List<X509Certificate> devIdIntermediates =
        certificates(settings, settings.optionalFile(DEVID_INTERMEDIATES), DEVID_INTERMEDIATES);
    Optional<Path> allowListFile = settings.optionalFile(EK_ALLOW_LIST);
    Optional<Set<String>> allowList = allowListFile.map(file -> allowList(settings, file));
    Optional<Path> ekCaFile = settings.optionalFile(EK_CA);
    Optional<Set<TrustAnchor>> ekAnchors =
        ekCaFile.map(file -> anchors(settings, Optional.of(file), EK_CA));
    List<X509Certificate> ekIntermediates =
        certificates(settings, settings.optionalFile(EK_INTERMEDIATES), EK_INTERMEDIATES);
    if (settings.optional(EK_ALLOW_LIST).isEmpty() && settings.optional(EK_CA).isEmpty()) {
      settings.problem(
          EK_ALLOW_LIST + "/" + EK_CA,
          "are both missing; set at least one so that endorsement keys are checked");
    }
    long ttl = settings.integer(NONCE_TTL, 300, 1, 86_400);
    settings.check();
    return new TpmDevIdVerifierConfig(
        devIdAnchors,
        devIdIntermediates,
        allowList,
        ekAnchors,
        ekIntermediates,
        Duration.ofSeconds(ttl));
  }

  private static Set<TrustAnchor> anchors(Settings settings, Optional<Path> file, String key) {
    Set<TrustAnchor> anchors = new HashSet<>();
    for (X509Certificate certificate : certificates(settings, file, key)) {
      anchors.add(new TrustAnchor(certificate, null));
    }
    return Set.copyOf(anchors);
  }

  private static List<X509Certificate> certificates(
      Settings settings, Optional<Path> file, String key) {
    if (file.isEmpty()) {
      return List.of();
    }
    try {
      return CertificateFiles.read(file.get());
    } catch (IOException e) {
      settings.problem(key, "cannot be used: " + e.getMessage());
      return List.of();
    }
  }

  /** Reads one hex SHA-256 per line; blank lines and lines starting with '#' are skipped. */
  private static Set<String> allowList(Settings settings, Path file) {
    Set<String> hashes = new HashSet<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String entry = line.strip().toLowerCase(Locale.ROOT);
        if (entry.isEmpty() || entry.startsWith("#")) {
          continue;
        }
        if (entry.length() != 64 || !entry.chars().allMatch(HexFormat::isHexDigit)) {
          settings.problem(
              EK_ALLOW_LIST,
              "file " + file + " has '" + line.strip() + "', expected 64 hex digits");
          continue;
        }
        hashes.add(entry);
      }
    } catch (IOException e) {
      settings.problem(EK_ALLOW_LIST, "file " + file + " cannot be read: " + e.getMessage());
    }
    return Set.copyOf(hashes);
  }
}
