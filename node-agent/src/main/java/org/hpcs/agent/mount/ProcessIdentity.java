package org.hpcs.agent.mount;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the credentials of the running JVM from {@code /proc/self/status}. */
final class ProcessIdentity {
  private ProcessIdentity() {}

  /**
   * Returns the effective uid (the second number of the {@code Uid:} line).
   *
   * @throws MountException if the status file cannot be read or has no {@code Uid:} line
   */
  static int effectiveUid() throws MountException {
    Path status = Path.of("/proc/self/status");
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("Uid:")) {
          return Integer.parseInt(line.substring(4).strip().split("\\s+", -1)[1]);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new MountException("Cannot read the effective uid from " + status, e);
    }
    throw new MountException("No Uid: line in " + status + "; is /proc mounted?");
  }
}
