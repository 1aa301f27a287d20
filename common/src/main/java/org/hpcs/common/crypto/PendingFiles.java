package org.hpcs.common.crypto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Temporary output files that a JVM shutdown deletes. SIGINT, SIGTERM and SIGHUP end the JVM
 * without unwinding the threads that write, so without this registry a half-written temporary file
 * (possibly holding plaintext) would stay on disk.
 *
 * <p>NOTE: SIGKILL and a JVM crash run no shutdown hook, so a temporary file can still remain after
 * those.
 */
final class PendingFiles {
  private static final Set<Path> PENDING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(PendingFiles::deleteAll, "hpcs-partial-files"));
  }

  private PendingFiles() {}

  /** Registers {@code file} for deletion at JVM shutdown. */
  static void register(Path file) {
    PENDING.add(file);
  }

  /** Removes {@code file} from the registry once it was renamed into place or deleted. */
  static void release(Path file) {
    PENDING.remove(file);
  }

  private static void deleteAll() {
    for (Path file : PENDING) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // The JVM is exiting, so no caller is left to report to. The other files are still tried.
      }
    }
  }
}
