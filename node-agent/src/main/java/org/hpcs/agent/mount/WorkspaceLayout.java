package org.hpcs.agent.mount;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where per-job directories live.
 *
 * @param stateDir root-only (0700) directory for cipher directories and gocryptfs logs; it holds
 *     ciphertext only
 * @param runDir directory for the mount points; job users must be able to traverse its parents
 * @param holderGrace time a process that keeps a mount busy gets between SIGTERM and SIGKILL
 */
public record WorkspaceLayout(Path stateDir, Path runDir, Duration holderGrace) {
  /** Default layout: {@code /var/lib/hpcs/agent/jobs}, {@code /run/hpcs/agent/jobs}, 2 s. */
  public static final WorkspaceLayout DEFAULT =
      new WorkspaceLayout(
          Path.of("/var/lib/hpcs/agent/jobs"),
          Path.of("/run/hpcs/agent/jobs"),
          Duration.ofSeconds(2));

  /** Makes both paths absolute. */
  public WorkspaceLayout {
    stateDir = Objects.requireNonNull(stateDir, "stateDir must not be null").toAbsolutePath();
    runDir = Objects.requireNonNull(runDir, "runDir must not be null").toAbsolutePath();
    Objects.requireNonNull(holderGrace, "holderGrace must not be null");
    if (runDir.startsWith(stateDir) || stateDir.startsWith(runDir)) {
      throw new IllegalArgumentException(
          "stateDir " + stateDir + " and runDir " + runDir + " must not contain each other");
    }
  }
}
