package org.hpcs.common.job;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The job manifest: which bundles a secured Slurm job runs on. Its path is the value of {@code
 * --hpcs-secure}; docs/job-manifest.md describes the format.
 *
 * @param schemaVersion the layout version, {@value #SCHEMA_VERSION}
 * @param image path of the container bundle's {@code <name>.manifest.json}, absolute or relative to
 *     the job manifest's directory
 * @param data paths of the data bundles' manifests, in mount order; may be empty
 */
public record JobManifest(int schemaVersion, String image, List<String> data) {
  /** The layout version that this code writes and reads. */
  public static final int SCHEMA_VERSION = 1;

  /** File name suffix of bundle manifests; the ciphertext is the sibling {@code <name>.age}. */
  public static final String BUNDLE_MANIFEST_SUFFIX = ".manifest.json";

  /** Copies {@code data}, keeping null elements for the codec to report. */
  public JobManifest {
    data = data == null ? null : Collections.unmodifiableList(new ArrayList<>(data));
  }

  /** Returns a version {@value #SCHEMA_VERSION} manifest. */
  public static JobManifest of(String image, List<String> data) {
    return new JobManifest(SCHEMA_VERSION, image, data);
  }

  /**
   * Resolves the bundle paths against the directory of the job manifest file.
   *
   * @param jobManifestFile the path this manifest was read from
   */
  public JobBundles resolve(Path jobManifestFile) {
    Path directory = jobManifestFile.toAbsolutePath().getParent();
    List<JobBundle> resolvedData = new ArrayList<>();
    for (String path : data) {
      resolvedData.add(JobBundle.of(directory.resolve(path)));
    }
    return new JobBundles(
        jobManifestFile.toAbsolutePath(), JobBundle.of(directory.resolve(image)), resolvedData);
  }
}
