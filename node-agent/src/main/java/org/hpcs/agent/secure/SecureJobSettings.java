package org.hpcs.agent.secure;

import java.nio.file.Path;
import java.util.Objects;
import org.hpcs.agent.mount.FusePreflight;
import org.hpcs.agent.mount.WorkspaceLayout;
import org.hpcs.agent.runtime.ContainerRuntime;

/**
 * What the secured-job pipeline needs from the agent's configuration.
 *
 * @param node this node's name
 * @param layout where per-job cipher directories and mount points go
 * @param launchDir the root-owned directory of the steps' launch files
 * @param runtime the container runtime
 * @param preflight checks FUSE, fusermount, gocryptfs and squashfuse before anything is decrypted
 */
public record SecureJobSettings(
    String node,
    WorkspaceLayout layout,
    Path launchDir,
    ContainerRuntime runtime,
    FusePreflight preflight) {
  /** Rejects missing values. */
  public SecureJobSettings {
    Objects.requireNonNull(node, "node must not be null");
    Objects.requireNonNull(layout, "layout must not be null");
    Objects.requireNonNull(launchDir, "launchDir must not be null");
    Objects.requireNonNull(runtime, "runtime must not be null");
    Objects.requireNonNull(preflight, "preflight must not be null");
  }
}
