package org.hpcs.agent.secure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Creates the agent's base directories with explicit owners and modes. */
final class BaseDirectories {
  private BaseDirectories() {}

  /**
   * Creates {@code dir} with {@code mode} and its missing parents with mode 0755, all owned by
   * root; an existing {@code dir} must belong to root and be writable by root only.
   *
   * @throws IOException when a path is not a directory or {@code dir} has another owner or mode
   */
  static void create(Path dir, String mode) throws IOException {
    Path absolute = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(absolute, LinkOption.NOFOLLOW_LINKS)) {
      Path parent = absolute.getParent();
      if (parent != null && !Files.exists(parent, LinkOption.NOFOLLOW_LINKS)) {
        create(parent, "rwxr-xr-x");
      }
      Files.createDirectory(
          absolute, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
      Files.setPosixFilePermissions(absolute, PosixFilePermissions.fromString(mode));
    }
    int uid = (Integer) Files.getAttribute(absolute, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    int bits = (Integer) Files.getAttribute(absolute, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    if (uid != 0 || (bits & 022) != 0) {
      throw new IOException(
          String.format(
              "%s has owner uid %d and mode %04o; it must belong to root and be writable by root"
                  + " only: run chown root:root %s && chmod go-w %s",
              absolute, uid, bits & 07777, absolute, absolute));
    }
  }
}
