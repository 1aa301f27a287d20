package org.hpcs.common.job;

import java.nio.file.Path;

/**
 * The two files of one bundle named by a job manifest.
 *
 * @param manifest the bundle manifest {@code <name>.manifest.json}
 * @param ciphertext its sibling {@code <name>.age}
 */
public record JobBundle(Path manifest, Path ciphertext) {
  /**
   * Returns the files of the bundle whose manifest is {@code manifest}.
   *
   * @throws IllegalArgumentException if the file name does not end with {@code .manifest.json}
   */
  public static JobBundle of(Path manifest) {
    return new JobBundle(manifest, manifest.resolveSibling(name(manifest) + ".age"));
  }

  /** Returns the bundle name: the manifest's file name without {@code .manifest.json}. */
  public static String name(Path manifest) {
    Path fileName = manifest.getFileName();
    String text = fileName == null ? "" : fileName.toString();
    if (!text.endsWith(JobManifest.BUNDLE_MANIFEST_SUFFIX)) {
      throw new IllegalArgumentException(
          "bundle manifest " + manifest + " must end with " + JobManifest.BUNDLE_MANIFEST_SUFFIX);
    }
    return text.substring(0, text.length() - JobManifest.BUNDLE_MANIFEST_SUFFIX.length());
  }
}
