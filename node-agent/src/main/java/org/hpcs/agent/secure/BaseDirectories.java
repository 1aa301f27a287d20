package org.hpcs.agent.secure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the agent's base directories with explicit owners and modes. */
final class BaseDirectories {
  private static final Logger LOG = LoggerFactory.getLogger(BaseDirectories.class);

  private BaseDirectories() {}

  /**
   * Lets every user pass through each directory from {@code /} down to {@code dir}: job users must
   * reach their mounts and launch files below it. A root-owned directory without the search bit for
   * group and others gets it (it gains no read bit, so nobody can list it); a directory of another
   * owner without it is an error.
   *
   * @throws IOException when a path is not a directory or cannot be changed
   */
  static void makeTraversable(Path dir) throws IOException {
    Path current = Path.of("/");
    for (Path part : dir.toAbsolutePath().normalize()) {
      current = current.resolve(part);
      if (!Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException(current + " is not a directory");
      }
      Set<PosixFilePermission> mode =
          Files.getPosixFilePermissions(current, LinkOption.NOFOLLOW_LINKS);
      if (mode.contains(PosixFilePermission.OTHERS_EXECUTE)) {
        continue;
      }
      int uid = (Integer) Files.getAttribute(current, "unix:uid", LinkOption.NOFOLLOW_LINKS);
      if (uid != 0) {
        throw new IOException(
            current
                + " does not let other users pass (no o+x); job users need it: chmod o+x "
                + current);
      }
      Set<PosixFilePermission> widened = EnumSet.copyOf(mode);
      widened.add(PosixFilePermission.GROUP_EXECUTE);
      widened.add(PosixFilePermission.OTHERS_EXECUTE);
      Files.setPosixFilePermissions(current, widened);
      LOG.info("added the search permission to {} so that job users can reach {}", current, dir);
    }
  }

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
