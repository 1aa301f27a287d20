package org.hpcs.agent.mount;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, before anything is decrypted, that this node can host encrypted FUSE mounts: the FUSE
 * device, a setuid-root fusermount, a supported gocryptfs, squashfuse and, for an agent that does
 * not run as root, {@code user_allow_other} in fuse.conf. Every problem is reported at once and
 * names what to install or change. There is no fallback: without working FUSE the job fails and no
 * plaintext is written anywhere.
 */
public final class FusePreflight {
  private static final Logger LOG = LoggerFactory.getLogger(FusePreflight.class);
  private static final int S_IFMT = 0170000;
  private static final int S_IFCHR = 0020000;
  private static final int S_ISUID = 04000;

  private final Host host;

  /**
   * What the preflight looks at. Tests point it at a prepared directory tree.
   *
   * @param devFuse the FUSE device, normally {@code /dev/fuse}
   * @param searchPath directories searched for the tools, in order
   * @param fuseConf the FUSE configuration file, normally {@code /etc/fuse.conf}
   * @param effectiveUid the agent's effective uid
   */
  public record Host(Path devFuse, List<Path> searchPath, Path fuseConf, int effectiveUid) {
    /** Copies the search path. */
    public Host {
      Objects.requireNonNull(devFuse, "devFuse must not be null");
      searchPath = List.copyOf(searchPath);
      Objects.requireNonNull(fuseConf, "fuseConf must not be null");
    }

    /**
     * Describes this machine: {@code /dev/fuse}, the {@code PATH} directories followed by the
     * system binary directories, {@code /etc/fuse.conf} and the effective uid.
     *
     * @throws MountException if the effective uid cannot be read from {@code /proc/self/status}
     */
    public static Host current() throws MountException {
      Set<Path> dirs = new LinkedHashSet<>();
      String path = System.getenv("PATH");
      if (path != null) {
        for (String dir : path.split(":", -1)) {
          if (!dir.isEmpty() && dir.startsWith("/")) {
            dirs.add(Path.of(dir));
          }
        }
      }
      for (String dir : List.of("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
        dirs.add(Path.of(dir));
      }
      return new Host(
          Path.of("/dev/fuse"),
          List.copyOf(dirs),
          Path.of("/etc/fuse.conf"),
          ProcessIdentity.effectiveUid());
    }
  }

  /** Creates a preflight for {@code host}. */
  public FusePreflight(Host host) {
    this.host = Objects.requireNonNull(host, "host must not be null");
  }

  /**
   * Runs every check.
   *
   * @return the checked tools, for the mounts to use
   * @throws PreflightException listing each problem found
   */
  public FuseTools check() throws PreflightException {
    List<String> problems = new ArrayList<>();
    checkDevice(problems);
    Optional<Path> fusermount = checkFusermount(problems);
    Optional<Path> gocryptfs = findTool("gocryptfs", "gocryptfs", problems);
    Optional<GocryptfsVersion> version = gocryptfs.flatMap(g -> checkVersion(g, problems));
    Optional<Path> squashfuse = findTool("squashfuse", "squashfuse", problems);
    checkAllowOther(problems);
    if (!problems.isEmpty()) {
      throw new PreflightException(problems);
    }
    FuseTools tools =
        new FuseTools(
            gocryptfs.orElseThrow(),
            version.orElseThrow(),
            fusermount.orElseThrow(),
            squashfuse.orElseThrow());
    LOG.debug("FUSE preflight passed: {}", tools);
    return tools;
  }

  private void checkDevice(List<String> problems) {
    Path dev = host.devFuse();
    if (!Files.exists(dev, LinkOption.NOFOLLOW_LINKS)) {
      problems.add(
          dev
              + " is missing: load the fuse kernel module (modprobe fuse), or pass the device"
              + " into the agent's container (--device /dev/fuse)");
      return;
    }
    if (!isCharacterDevice(dev)) {
      problems.add(dev + " is not a character device: recreate it with mknod " + dev + " c 10 229");
    } else if (!Files.isReadable(dev) || !Files.isWritable(dev)) {
      problems.add(
          dev + " is not readable and writable by the agent: set its mode to 0666 (crw-rw-rw-)");
    }
  }

  private Optional<Path> checkFusermount(List<String> problems) {
    Optional<Path> found = locate("fusermount3").or(() -> locate("fusermount"));
    if (found.isEmpty()) {
      problems.add(
          "fusermount3 (or fusermount) not found in " + host.searchPath() + ": install fuse3");
      return found;
    }
    Path tool = found.get();
    if (!isSetuidRoot(tool)) {
      problems.add(
          tool
              + " is not setuid root, so unprivileged FUSE mounts (squashfuse run by a job's"
              + " container runtime) fail with 'Operation not permitted': run chown root "
              + tool
              + " && chmod 4755 "
              + tool);
    }
    return found;
  }

  private Optional<Path> findTool(String name, String debianPackage, List<String> problems) {
    Optional<Path> found = locate(name);
    if (found.isEmpty()) {
      problems.add(name + " not found in " + host.searchPath() + ": install " + debianPackage);
    }
    return found;
  }

  private Optional<GocryptfsVersion> checkVersion(Path gocryptfs, List<String> problems) {
    try {
      CommandResult result =
          CommandRunner.run(List.of(gocryptfs.toString(), "-version"), Duration.ofSeconds(15));
      GocryptfsVersion version = GocryptfsVersion.parse(result.output());
      if (!version.isSupported()) {
        problems.add(
            gocryptfs
                + " is version "
                + version
                + ", older than the supported "
                + GocryptfsVersion.MINIMUM
                + ": upgrade gocryptfs");
        return Optional.empty();
      }
      return Optional.of(version);
    } catch (MountException | IllegalArgumentException e) {
      problems.add(
          "Cannot read the version of " + gocryptfs + " (" + e.getMessage() + "): reinstall it");
      return Optional.empty();
    }
  }

  private void checkAllowOther(List<String> problems) {
    if (host.effectiveUid() == 0) {
      return;
    }
    if (!fuseConfAllowsOther()) {
      problems.add(
          "The agent runs as uid "
              + host.effectiveUid()
              + " but "
              + host.fuseConf()
              + " has no 'user_allow_other' line, so mounts cannot use -allow_other and the job"
              + " user could not enter them: add the line user_allow_other to "
              + host.fuseConf());
    }
  }

  private boolean fuseConfAllowsOther() {
    try {
      return Files.readAllLines(host.fuseConf()).stream()
          .map(String::strip)
          .anyMatch(line -> line.equals("user_allow_other"));
    } catch (IOException e) {
      return false;
    }
  }

  private Optional<Path> locate(String name) {
    for (Path dir : host.searchPath()) {
      Path candidate = dir.resolve(name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static boolean isCharacterDevice(Path path) {
    try {
      int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      return (mode & S_IFMT) == S_IFCHR;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  private static boolean isSetuidRoot(Path path) {
    try {
      int mode = (Integer) Files.getAttribute(path, "unix:mode");
      int uid = (Integer) Files.getAttribute(path, "unix:uid");
      return uid == 0 && (mode & S_ISUID) != 0;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }
}
