package org.hpcs.common.job;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Checks job manifest values and reports every bad field at once. */
final class JobManifestValidator {
  /** Maximum number of bundles of one job: the HPCS server releases keys for at most 64. */
  static final int MAX_BUNDLES = 64;

  private static final int MAX_PATH_LENGTH = 4096;
  private static final Pattern BUNDLE_FILE =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}\\.manifest\\.json");

  private JobManifestValidator() {}

  static void validate(JobManifest manifest, String source) throws JobManifestException {
    List<String> problems = new ArrayList<>();
    if (manifest.schemaVersion() != JobManifest.SCHEMA_VERSION) {
      problems.add(
          "schemaVersion is %d but this reader supports %d"
              .formatted(manifest.schemaVersion(), JobManifest.SCHEMA_VERSION));
    }
    Set<String> seen = new HashSet<>();
    checkPath("image", manifest.image(), seen, problems);
    if (manifest.data() == null) {
      problems.add("data is missing; use [] for a job without data bundles");
    } else {
      if (manifest.data().size() > MAX_BUNDLES - 1) {
        problems.add(
            "data lists %d bundles, more than the %d allowed"
                .formatted(manifest.data().size(), MAX_BUNDLES - 1));
      }
      for (int i = 0; i < manifest.data().size(); i++) {
        checkPath("data[" + i + "]", manifest.data().get(i), seen, problems);
      }
    }

    if (!problems.isEmpty()) {
      throw new JobManifestException(
          "job manifest %s is invalid: %s".formatted(source, String.join("; ", problems)));
    }
  }

  private static void checkPath(
      String field, String value, Set<String> seen, List<String> problems) {
    if (value == null || value.isEmpty()) {
      problems.add(field + " is empty; give the path of a bundle's .manifest.json");
      return;
    }
    if (value.length() > MAX_PATH_LENGTH || value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      problems.add(
          field + " is longer than " + MAX_PATH_LENGTH + " characters or has control characters");
      return;
    }
    Path path;
    try {
      path = Path.of(value);
    } catch (InvalidPathException e) {
      problems.add(field + " \"" + value + "\" is not a path");
      return;
    }
    Path fileName = path.getFileName();
    if (fileName == null || !BUNDLE_FILE.matcher(fileName.toString()).matches()) {
      problems.add(
          field
              + " \""
              + value
              + "\" must name a bundle manifest <name>.manifest.json, as hpcs bundle create writes");
    }
    if (!seen.add(value)) {
      problems.add(field + " \"" + value + "\" is listed twice");
    }
  }
}
