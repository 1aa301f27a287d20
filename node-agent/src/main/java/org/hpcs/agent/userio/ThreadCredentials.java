package org.hpcs.agent.userio;

import com.sun.jna.Memory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Switches the file-system ids and groups of the calling thread with raw system calls.
 *
 * <p>The kernel keeps credentials per thread. glibc's {@code setgroups} wrapper changes every
 * thread of the process (POSIX asks for that), so the raw {@code syscall(2)} is used for {@code
 * setgroups}, {@code setfsgid} and {@code setfsuid}: they change the calling thread only. When the
 * fsuid changes from 0 to another id, the kernel also clears the thread's file-system capabilities
 * (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_CHOWN and others), so the thread's file
 * access is checked exactly as for the user (setfsuid(2), capabilities(7)).
 */
final class ThreadCredentials {
  private static final Path STATUS = Path.of("/proc/thread-self/status");

  /** System call numbers of one architecture (from the kernel's syscall tables). */
  private record Numbers(long setgroups, long setfsuid, long setfsgid) {}

  private static final Numbers NUMBERS = numbers(System.getProperty("os.arch"));

  /**
   * The ids of the calling thread as {@code /proc/thread-self/status} shows them.
   *
   * @param fsuid the file-system user id
   * @param fsgid the file-system group id
   * @param groups the supplementary groups
   */
  record Snapshot(int fsuid, int fsgid, List<Integer> groups) {}

  private ThreadCredentials() {}

  private static Numbers numbers(String arch) {
    return switch (arch.toLowerCase(Locale.ROOT)) {
      case "amd64", "x86_64" -> new Numbers(116, 122, 123);
      case "aarch64", "arm64" -> new Numbers(159, 151, 152);
      default -> null;
    };
  }

  /** Sets the calling thread's groups, fsgid and fsuid, in that order. */
  static void become(int uid, int gid, List<Integer> groups) throws UserIoException {
    Numbers numbers = requireNumbers();
    setGroups(numbers, groups);
    LibC.INSTANCE.syscall(numbers.setfsgid(), Integer.toUnsignedLong(gid));
    LibC.INSTANCE.syscall(numbers.setfsuid(), Integer.toUnsignedLong(uid));
  }

  /** Sets fsuid, fsgid and groups back, in the reverse order of {@link #become}. */
  static void restore(Snapshot original) throws UserIoException {
    Numbers numbers = requireNumbers();
    LibC.INSTANCE.syscall(numbers.setfsuid(), Integer.toUnsignedLong(original.fsuid()));
    LibC.INSTANCE.syscall(numbers.setfsgid(), Integer.toUnsignedLong(original.fsgid()));
    setGroups(numbers, original.groups());
  }

  private static void setGroups(Numbers numbers, List<Integer> groups) throws UserIoException {
    Memory list = new Memory(Math.max(1, groups.size()) * 4L);
    for (int i = 0; i < groups.size(); i++) {
      list.setInt(4L * i, groups.get(i));
    }
    long result = LibC.INSTANCE.syscall(numbers.setgroups(), (long) groups.size(), list);
    if (result != 0) {
      throw new UserIoException(
          "setgroups("
              + groups
              + ") failed for the calling thread; the node agent must run as root with"
              + " CAP_SETGID");
    }
  }

  /** Reads the calling thread's file-system ids and groups. */
  static Snapshot current() throws UserIoException {
    try {
      int fsuid = -1;
      int fsgid = -1;
      List<Integer> groups = new ArrayList<>();
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith("Uid:")) {
          fsuid = Integer.parseInt(fields(line)[3]);
        } else if (line.startsWith("Gid:")) {
          fsgid = Integer.parseInt(fields(line)[3]);
        } else if (line.startsWith("Groups:")) {
          for (String group : fields(line)) {
            groups.add(Integer.parseInt(group));
          }
        }
      }
      if (fsuid < 0 || fsgid < 0) {
        throw new UserIoException(STATUS + " has no Uid: or Gid: line; is /proc mounted?");
      }
      return new Snapshot(fsuid, fsgid, List.copyOf(groups));
    } catch (IOException | RuntimeException e) {
      throw new UserIoException("cannot read the thread's credentials from " + STATUS, e);
    }
  }

  private static String[] fields(String line) {
    String values = line.substring(line.indexOf(':') + 1).strip();
    return values.isEmpty() ? new String[0] : values.split("\\s+", -1);
  }

  private static Numbers requireNumbers() throws UserIoException {
    if (NUMBERS == null) {
      throw new UserIoException(
          "the node agent knows the setfsuid system call numbers of x86_64 and aarch64 only, not"
              + " of "
              + System.getProperty("os.arch"));
    }
    return NUMBERS;
  }
}
