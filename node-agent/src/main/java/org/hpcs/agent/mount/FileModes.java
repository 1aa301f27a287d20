package org.hpcs.agent.mount;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Owner and mode changes on agent-created paths; never follows a symbolic link. */
final class FileModes {
  static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> TRAVERSE_ONLY =
      PosixFilePermissions.fromString("rwx--x--x");
  static final Set<PosixFilePermission> OWNER_READ_WRITE =
      PosixFilePermissions.fromString("rw-------");

  private FileModes() {}

  /** Sets owner and mode of {@code path}, refusing symbolic links. */
  static void set(Path path, FileOwner owner, Set<PosixFilePermission> mode) throws IOException {
    if (Files.isSymbolicLink(path)) {
      throw new IOException(path + " is a symbolic link; the agent never changes one");
    }
    Files.setAttribute(path, "unix:uid", owner.uid(), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(path, "unix:gid", owner.gid(), LinkOption.NOFOLLOW_LINKS);
    Files.setPosixFilePermissions(path, mode);
  }

  /** Creates directory {@code dir} owned by root with {@code mode}; fails if it exists. */
  static void createRootDir(Path dir, Set<PosixFilePermission> mode) throws IOException {
    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    set(dir, FileOwner.ROOT, mode);
  }

  /** Returns the numeric owner of {@code path} without following links. */
  static int ownerUid(Path path) throws IOException {
    return (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
  }

  /** Returns the permission bits of {@code path} without following links. */
  static int mode(Path path) throws IOException {
    return ((Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS)) & 07777;
  }
}
