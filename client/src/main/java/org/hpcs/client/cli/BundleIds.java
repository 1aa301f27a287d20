package org.hpcs.client.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.hpcs.common.bundle.ManifestCodec;

/** Turns a bundle argument, an identifier or a manifest path, into the bundle identifier. */
final class BundleIds {
  private static final String BUNDLE_ID = "[A-Za-z0-9][A-Za-z0-9._-]{0,127}";

  private BundleIds() {}

  /**
   * Returns the identifier: the argument itself, or the {@code bundleId} of the manifest it names
   * when it ends with {@code .manifest.json}.
   *
   * @throws IllegalArgumentException if the argument is neither
   */
  static String resolve(String argument) throws Exception {
    if (argument.endsWith(".manifest.json")) {
      Path manifest = Path.of(argument);
      if (!Files.exists(manifest)) {
        throw new IllegalArgumentException("bundle manifest " + argument + " not found");
      }
      return ManifestCodec.read(manifest).bundleId();
    }
    if (!argument.matches(BUNDLE_ID)) {
      throw new IllegalArgumentException(
          "invalid bundle '%s': give the bundle id that hpcs bundle create printed, or the path of its .manifest.json"
              .formatted(argument));
    }
    return argument;
  }
}
