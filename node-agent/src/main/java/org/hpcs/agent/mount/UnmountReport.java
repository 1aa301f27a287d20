package org.hpcs.agent.mount;

import java.nio.file.Path;
import java.util.List;

/**
 * What an unmount did.
 *
 * @param mountPoint the mount point
 * @param wasMounted false when nothing was mounted there, so nothing was done
 * @param endedHolders processes that held the mount and were ended (SIGTERM, then SIGKILL)
 * @param lazy true when only a lazy unmount ({@code -z}) succeeded
 */
public record UnmountReport(
    Path mountPoint, boolean wasMounted, List<MountHolder> endedHolders, boolean lazy) {

  /** Copies the holder list. */
  public UnmountReport {
    endedHolders = List.copyOf(endedHolders);
  }
}
