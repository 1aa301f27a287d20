package org.hpcs.common.bundle;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/** Checks manifest values and reports every bad field at once. */
final class ManifestValidator {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final Pattern OWNER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,127}");
  private static final Pattern MOUNT = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");
  private static final Pattern RECIPIENT = Pattern.compile("age1[02-9ac-hj-np-z]{58}");
  private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]+={0,2}");

  private ManifestValidator() {}

  static void validate(BundleManifest m, String source) throws BundleException {
    List<String> problems = new ArrayList<>();
    checkDescriptiveFields(m, problems);
    checkDigest("ciphertext", m.ciphertext(), problems);
    checkDigest("plaintext", m.plaintext(), problems);
    checkKey(m, problems);
    checkRecipientAndSignature(m, problems);

    if (!problems.isEmpty()) {
      throw new BundleException(
          "manifest %s is invalid: %s".formatted(source, String.join("; ", problems)));
    }
  }

  private static void checkDescriptiveFields(BundleManifest m, List<String> problems) {
    if (m.schemaVersion() != BundleManifest.SCHEMA_VERSION) {
      problems.add(
          "schemaVersion is %d but this reader supports %d; upgrade hpcs"
              .formatted(m.schemaVersion(), BundleManifest.SCHEMA_VERSION));
    }
    checkUuid(m.bundleId(), problems);
    check(
        OWNER.matcher(m.owner()).matches(),
        "owner \"" + m.owner() + "\" is not a user name",
        problems);
    check(
        NAME.matcher(m.name()).matches(),
        "name \"" + m.name() + "\" is not a file name stem",
        problems);
    checkInstant(m.createdAt(), problems);
  }

  private static void checkRecipientAndSignature(BundleManifest m, List<String> problems) {
    check(
        RECIPIENT.matcher(m.outputRecipient()).matches(),
        "outputRecipient is not an age X25519 recipient (age1...)",
        problems);
    check(
        Signer.ED25519.equals(m.signer().algorithm()),
        "signer.algorithm is \"" + m.signer().algorithm() + "\", expected Ed25519",
        problems);
    check(
        BASE64.matcher(m.signer().publicKey()).matches(),
        "signer.publicKey is not Base64",
        problems);
    check(BASE64.matcher(m.signature()).matches(), "signature is not Base64", problems);
  }

  private static void checkUuid(String bundleId, List<String> problems) {
    try {
      check(
          UUID.fromString(bundleId).toString().equals(bundleId),
          "bundleId \"" + bundleId + "\" is not a lower-case UUID",
          problems);
    } catch (IllegalArgumentException e) {
      problems.add("bundleId \"" + bundleId + "\" is not a UUID");
    }
  }

  private static void checkInstant(String createdAt, List<String> problems) {
    try {
      Instant.parse(createdAt);
      check(createdAt.endsWith("Z"), "createdAt must be UTC with a Z suffix", problems);
    } catch (DateTimeParseException e) {
      problems.add("createdAt \"" + createdAt + "\" is not an ISO-8601 instant");
    }
  }

  private static void checkDigest(String field, ContentDigest digest, List<String> problems) {
    check(
        SHA256.matcher(digest.sha256()).matches(),
        field + ".sha256 is not 64 lower-case hex digits",
        problems);
    check(digest.size() >= 0, field + ".size is negative", problems);
  }

  private static void checkKey(BundleManifest m, List<String> problems) {
    KeyLocation key = m.key();
    check(
        MOUNT.matcher(key.kvMount()).matches(),
        "key.kvMount \"" + key.kvMount() + "\" is not a mount path",
        problems);
    String expected = "owners/" + m.owner() + "/bundles/" + m.bundleId();
    check(
        expected.equals(key.kvPath()),
        "key.kvPath \"" + key.kvPath() + "\" must be \"" + expected + "\"",
        problems);
    check(
        KeyLocation.IDENTITY_FIELD.equals(key.field()),
        "key.field must be \"" + KeyLocation.IDENTITY_FIELD + "\"",
        problems);
  }

  private static void check(boolean ok, String problem, List<String> problems) {
    if (!ok) {
      problems.add(problem);
    }
  }
}
