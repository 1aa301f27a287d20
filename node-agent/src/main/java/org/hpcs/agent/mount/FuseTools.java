package org.hpcs.agent.mount;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Absolute paths of the FUSE tools that {@link FusePreflight} checked. Mounts run exactly these
 * binaries, so the checked tools are the ones used.
 *
 * @param gocryptfs the gocryptfs binary
 * @param gocryptfsVersion its version
 * @param fusermount fusermount3, or fusermount where only FUSE 2 is installed
 * @param squashfuse the squashfuse binary
 */
public record FuseTools(
    Path gocryptfs, GocryptfsVersion gocryptfsVersion, Path fusermount, Path squashfuse) {

  /** Checks that no field is null. */
  public FuseTools {
    Objects.requireNonNull(gocryptfs, "gocryptfs must not be null");
    Objects.requireNonNull(gocryptfsVersion, "gocryptfsVersion must not be null");
    Objects.requireNonNull(fusermount, "fusermount must not be null");
    Objects.requireNonNull(squashfuse, "squashfuse must not be null");
  }
}
