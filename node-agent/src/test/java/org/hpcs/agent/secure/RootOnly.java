package org.hpcs.agent.secure;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Tests of the user-rights code switch file-system ids, which only root may do. */
final class RootOnly {
  /** The user the tests act for: nobody, which exists on every Debian system. */
  static final String USER = "nobody";

  static final int UID = 65534;

  static final int GID = 65534;

  private RootOnly() {}

  static void assumeRoot() throws IOException {
    String status = Files.readString(Path.of("/proc/self/status"));
    assumeTrue(status.contains("\nUid:\t0\t0\t0\t0"), "needs root to switch file-system ids");
  }
}
