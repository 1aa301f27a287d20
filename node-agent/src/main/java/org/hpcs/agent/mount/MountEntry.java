package org.hpcs.agent.mount;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One line of {@code /proc/self/mountinfo}, with the octal escapes in paths already decoded.
 *
 * @param mountId unique id of the mount
 * @param parentId id of the parent mount
 * @param major major device number of the file system
 * @param minor minor device number of the file system
 * @param root path of the mounted directory inside its file system
 * @param mountPoint where the mount is attached, relative to the reading process's root
 * @param mountOptions per-mount options such as {@code rw,nosuid}
 * @param fsType file system type, for example {@code fuse.gocryptfs}
 * @param source mount source, for example the gocryptfs cipher directory
 * @param superOptions per-superblock options
 */
public record MountEntry(
    int mountId,
    int parentId,
    int major,
    int minor,
    String root,
    Path mountPoint,
    String mountOptions,
    String fsType,
    String source,
    String superOptions) {

  /** Checks that no field is null. */
  public MountEntry {
    Objects.requireNonNull(root, "root must not be null");
    Objects.requireNonNull(mountPoint, "mountPoint must not be null");
    Objects.requireNonNull(mountOptions, "mountOptions must not be null");
    Objects.requireNonNull(fsType, "fsType must not be null");
    Objects.requireNonNull(source, "source must not be null");
    Objects.requireNonNull(superOptions, "superOptions must not be null");
  }

  /** Returns true for FUSE file systems ({@code fuse}, {@code fuse.*}, {@code fuseblk}). */
  public boolean isFuse() {
    return fsType.equals("fuse") || fsType.startsWith("fuse.") || fsType.equals("fuseblk");
  }

  /**
   * Returns the device number as {@code stat(2)} reports it in {@code st_dev}, using the glibc
   * encoding of {@code makedev(major, minor)}.
   */
  public long deviceNumber() {
    long maj = major & 0xffffffffL;
    long min = minor & 0xffffffffL;
    return ((maj & 0xfffL) << 8) | ((maj & ~0xfffL) << 32) | (min & 0xffL) | ((min & ~0xffL) << 12);
  }
}
