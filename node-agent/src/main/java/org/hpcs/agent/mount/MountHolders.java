package org.hpcs.agent.mount;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the processes that keep a mount busy by scanning {@code /proc/<pid>/cwd}, {@code root},
 * {@code exe}, {@code fd/*} and {@code maps}. A link matches when its target path lies in the mount
 * or, for processes in another mount namespace (a container sees the output as {@code
 * /hpcs/output}), when the file it points to is on the mount's device.
 */
final class MountHolders {
  private static final Path PROC = Path.of("/proc");
  private static final List<String> LINKS = List.of("cwd", "root", "exe");

  private MountHolders() {}

  /** Returns every process except this JVM that holds {@code mount}. */
  static List<MountHolder> find(MountEntry mount) {
    long self = ProcessHandle.current().pid();
    List<MountHolder> holders = new ArrayList<>();
    try (DirectoryStream<Path> pids = Files.newDirectoryStream(PROC, MountHolders::isPidDir)) {
      for (Path dir : pids) {
        long pid = Long.parseLong(dir.getFileName().toString());
        if (pid != self) {
          holdingLink(dir, mount).ifPresent(via -> holders.add(holder(dir, pid, via)));
        }
      }
    } catch (IOException e) {
      // /proc is always listable; a failure here leaves the unmount retries to report it.
      return holders;
    }
    return holders;
  }

  /** Returns how process {@code pid} holds {@code mount}, or empty if it does not (any more). */
  static Optional<String> holdingLink(long pid, MountEntry mount) {
    return holdingLink(PROC.resolve(Long.toString(pid)), mount);
  }

  private static Optional<String> holdingLink(Path procDir, MountEntry mount) {
    for (String link : LINKS) {
      if (pointsInto(procDir.resolve(link), mount)) {
        return Optional.of(link);
      }
    }
    Optional<String> fd = holdingFd(procDir, mount);
    if (fd.isPresent()) {
      return fd;
    }
    return mapsMount(procDir, mount) ? Optional.of("maps") : Optional.empty();
  }

  private static Optional<String> holdingFd(Path procDir, MountEntry mount) {
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(procDir.resolve("fd"))) {
      for (Path fd : fds) {
        if (pointsInto(fd, mount)) {
          return Optional.of("fd/" + fd.getFileName());
        }
      }
    } catch (IOException | RuntimeException e) {
      // The process ended or its fd table is not readable: it holds nothing we can see.
      return Optional.empty();
    }
    return Optional.empty();
  }

  private static boolean pointsInto(Path link, MountEntry mount) {
    String target;
    try {
      target = Files.readSymbolicLink(link).toString();
    } catch (IOException | RuntimeException e) {
      return false;
    }
    if (!target.startsWith("/")) {
      return false; // socket:[..], pipe:[..], anon_inode:..
    }
    String base = mount.mountPoint().toString();
    if (target.equals(base) || target.startsWith(base + "/")) {
      return true;
    }
    return onDevice(link, mount);
  }

  private static boolean onDevice(Path link, MountEntry mount) {
    try {
      Object dev = Files.getAttribute(link, "unix:dev");
      return dev instanceof Long value && value == mount.deviceNumber();
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Checks the device column (hex {@code major:minor}) of the memory-mapped files. */
  private static boolean mapsMount(Path procDir, MountEntry mount) {
    String wanted = String.format("%02x:%02x", mount.major(), mount.minor());
    try (var lines = Files.lines(procDir.resolve("maps"))) {
      return lines.anyMatch(
          line -> {
            String[] fields = line.split("\\s+", 6);
            return fields.length >= 6 && fields[3].equals(wanted);
          });
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static MountHolder holder(Path procDir, long pid, String via) {
    String command;
    try {
      command = Files.readString(procDir.resolve("comm")).strip();
    } catch (IOException e) {
      command = "?";
    }
    return new MountHolder(pid, command, via);
  }

  private static boolean isPidDir(Path path) {
    String name = path.getFileName().toString();
    return !name.isEmpty() && name.chars().allMatch(Character::isDigit);
  }
}
