package org.hpcs.agent.job;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How the SPANK plugin starts the tasks of a step: it reads the launch file, which holds the
 * container runtime's command line, and runs each task's command through it.
 *
 * @param launchFile absolute path of the step's launch file (root-owned, readable by the job user,
 *     free of secrets); docs/protocol.md describes its format
 */
public record StepLaunch(Path launchFile) {
  /** Rejects a relative path. */
  public StepLaunch {
    Objects.requireNonNull(launchFile, "launchFile must not be null");
    if (!launchFile.isAbsolute()) {
      throw new IllegalArgumentException("launchFile must be absolute, got " + launchFile);
    }
  }
}
