package org.hpcs.common.job;

import java.nio.file.Path;
import java.util.List;

/**
 * The bundles of a job manifest with absolute paths.
 *
 * @param jobManifest the absolute path of the job manifest
 * @param image the container bundle
 * @param data the data bundles, in the order of the manifest
 */
public record JobBundles(Path jobManifest, JobBundle image, List<JobBundle> data) {
  /** Copies the list. */
  public JobBundles {
    data = List.copyOf(data);
  }
}
