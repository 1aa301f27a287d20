package org.hpcs.agent.mount;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One per-job gocryptfs file system: a fresh cipher directory, a random password that exists only
 * in this JVM's memory, and the plaintext view mounted with {@code -allow_other}. The plaintext
 * root belongs to the job user with mode 0700; gocryptfs turns on the kernel's {@code
 * default_permissions} check with {@code -allow_other}, so other users get EACCES.
 *
 * <p>The password (32 bytes from {@link SecureRandom}, base64-encoded) reaches gocryptfs only
 * through a pipe on its standard input, for {@code -init} and for the mount. It is overwritten as
 * soon as the mount is up, because nothing needs it afterwards: the file system stays usable until
 * it is unmounted, and a new job always gets a new cipher directory.
 *
 * <p>The gocryptfs process runs in the foreground ({@code -fg}) as a child of the agent; its output
 * goes to a log file, so it keeps running if the agent restarts.
 */
public final class GocryptfsMount implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GocryptfsMount.class);
  private static final int PASSWORD_BYTES = 32;
  private static final Duration INIT_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path cipherDir;
  private final Path mountPoint;
  private final Unmounter unmounter;
  // The gocryptfs child process; null for a mount adopted from an earlier agent process.
  private final Process process;
  private boolean closed;

  private GocryptfsMount(Path cipherDir, Path mountPoint, Unmounter unmounter, Process process) {
    this.cipherDir = cipherDir;
    this.mountPoint = mountPoint;
    this.unmounter = unmounter;
    this.process = process;
  }

  /**
   * Creates the cipher directory, initialises gocryptfs in it and mounts the plaintext view.
   *
   * @param tools the checked FUSE tools
   * @param cipherDir where the ciphertext goes; must not exist, and its parent must be root-only
   * @param mountPoint an existing empty directory
   * @param owner the job user, who gets the plaintext root with mode 0700
   * @param logFile where gocryptfs writes its messages (no secrets); created with mode 0600
   * @param unmounter used by {@link #close()}
   * @throws MountException if a step fails; nothing is left mounted and the cipher directory is
   *     removed
   */
  public static GocryptfsMount create(
      FuseTools tools,
      Path cipherDir,
      Path mountPoint,
      FileOwner owner,
      Path logFile,
      Unmounter unmounter)
      throws MountException {
    Objects.requireNonNull(tools, "tools must not be null");
    Objects.requireNonNull(owner, "owner must not be null");
    Objects.requireNonNull(unmounter, "unmounter must not be null");
    Path cipher = cipherDir.toAbsolutePath().normalize();
    Path point = mountPoint.toAbsolutePath().normalize();
    requireEmptyDirectory(point);
    byte[] password = newPassword();
    Process process = null;
    try {
      createCipherDir(cipher);
      initialise(tools, cipher, password);
      process = mount(tools, cipher, point, password, logFile);
      FileModes.set(point, owner, FileModes.OWNER_ONLY);
      LOG.info("Mounted encrypted file system {} for uid {}", point, owner.uid());
      return new GocryptfsMount(cipher, point, unmounter, process);
    } catch (MountException | IOException | RuntimeException e) {
      undo(cipher, point, unmounter, process, e);
      if (e instanceof MountException m) {
        throw m;
      }
      throw new MountException("Cannot set up the encrypted mount " + point + ": " + e, e);
    } finally {
      Arrays.fill(password, (byte) 0);
    }
  }

  /**
   * Takes over a mount that an earlier agent process made and that is still in place, so that it
   * can be used and unmounted like one made by this process.
   *
   * @param cipherDir the mount's cipher directory, which must exist
   * @param mountPoint where gocryptfs must still be mounted
   * @param unmounter used by {@link #close()}
   * @throws MountException if no gocryptfs mount is at {@code mountPoint} or the cipher directory
   *     is missing
   */
  public static GocryptfsMount adopt(Path cipherDir, Path mountPoint, Unmounter unmounter)
      throws MountException {
    Objects.requireNonNull(unmounter, "unmounter must not be null");
    Path cipher = cipherDir.toAbsolutePath().normalize();
    Path point = mountPoint.toAbsolutePath().normalize();
    if (!isGocryptfs(point)) {
      throw new MountException("No gocryptfs file system is mounted at " + point + " any more");
    }
    if (!Files.isDirectory(cipher, LinkOption.NOFOLLOW_LINKS)) {
      throw new MountException("The cipher directory " + cipher + " of " + point + " is missing");
    }
    return new GocryptfsMount(cipher, point, unmounter, null);
  }

  /** Returns the plaintext view. */
  public Path mountPoint() {
    return mountPoint;
  }

  /** Returns the directory that holds the ciphertext. */
  public Path cipherDir() {
    return cipherDir;
  }

  /** Returns true while the gocryptfs process serves the mount. */
  public boolean isServing() {
    if (process != null) {
      return process.isAlive();
    }
    try {
      return isGocryptfs(mountPoint);
    } catch (MountException e) {
      LOG.warn("Cannot read the mount table: {}", e.getMessage());
      return false;
    }
  }

  /**
   * Creates a new file in the plaintext view and opens it for buffered writing. The file belongs to
   * root with mode 0644; the 0700 plaintext root keeps users other than the job user out.
   *
   * @param relativePath path below the mount point, without {@code ..}; missing parent directories
   *     are created
   * @throws MountException if the path escapes the mount, the file exists or cannot be created
   */
  public PlaintextFile openForWrite(String relativePath) throws MountException {
    Path target = resolveInside(relativePath);
    try {
      Files.createDirectories(target.getParent());
      return PlaintextFile.create(target);
    } catch (IOException e) {
      throw new MountException("Cannot create " + target + " in the encrypted mount: " + e, e);
    }
  }

  /**
   * Unmounts (ending processes that still use the mount), waits for gocryptfs to exit and deletes
   * the cipher directory. Safe to call more than once.
   *
   * @throws MountException if the mount cannot be removed; the cipher directory is then kept
   */
  public UnmountReport unmount() throws MountException {
    if (closed) {
      return new UnmountReport(mountPoint, false, List.of(), false);
    }
    UnmountReport report = unmounter.unmount(mountPoint);
    if (process != null) {
      awaitExit(process);
    }
    wipe(cipherDir);
    closed = true;
    return report;
  }

  /** Same as {@link #unmount()}. */
  @Override
  public void close() throws MountException {
    unmount();
  }

  private Path resolveInside(String relativePath) throws MountException {
    Path relative = Path.of(relativePath).normalize();
    if (relativePath.isEmpty()
        || relative.isAbsolute()
        || relative.startsWith("..")
        || relative.toString().isEmpty()) {
      throw new MountException(
          "Invalid file name '"
              + relativePath
              + "' for the encrypted mount "
              + mountPoint
              + ": give a relative path without '..'");
    }
    return mountPoint.resolve(relative);
  }

  private static byte[] newPassword() {
    byte[] raw = new byte[PASSWORD_BYTES];
    RANDOM.nextBytes(raw);
    try {
      return Base64.getEncoder().encode(raw);
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  private static void requireEmptyDirectory(Path point) throws MountException {
    try (var entries = Files.list(point)) {
      if (entries.findAny().isPresent()) {
        throw new MountException(
            "Mount point " + point + " is not empty; remove its content or choose another");
      }
    } catch (IOException e) {
      throw new MountException(
          "Mount point " + point + " is not an accessible directory: " + e.getMessage(), e);
    }
  }

  private static void createCipherDir(Path cipher) throws IOException {
    if (Files.exists(cipher, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(
          "cipher directory " + cipher + " already exists; an earlier job was not cleaned up");
    }
    FileModes.createRootDir(cipher, FileModes.OWNER_ONLY);
  }

  private static void initialise(FuseTools tools, Path cipher, byte[] password)
      throws MountException {
    // The password is 32 random bytes, so a costly key derivation adds no protection against
    // guessing. The lowest scrypt cost (2^10) cut init from 0.59 s to 0.03 s and mount from
    // 0.67 s to 0.05 s on the 2-core test machine.
    List<String> argv =
        List.of(tools.gocryptfs().toString(), "-init", "-q", "-scryptn", "10", cipher.toString());
    CommandResult result = CommandRunner.run(argv, password, INIT_TIMEOUT);
    if (!result.succeeded()) {
      throw new MountException(
          "gocryptfs -init failed for "
              + cipher
              + " (exit "
              + result.exitCode()
              + "): "
              + result.trimmedOutput());
    }
  }

  private static Process mount(
      FuseTools tools, Path cipher, Path point, byte[] password, Path logFile)
      throws MountException, IOException {
    Files.deleteIfExists(logFile);
    Files.createFile(logFile, PosixFilePermissions.asFileAttribute(FileModes.OWNER_READ_WRITE));
    List<String> argv =
        List.of(
            tools.gocryptfs().toString(),
            "-fg",
            "-nosyslog",
            "-allow_other",
            cipher.toString(),
            point.toString());
    Process process =
        new ProcessBuilder(argv)
            .directory(new File("/"))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .start();
    try (OutputStream stdin = process.getOutputStream()) {
      stdin.write(password);
    } catch (IOException e) {
      LOG.debug("gocryptfs closed its standard input early", e);
    }
    awaitMounted(process, point, logFile);
    return process;
  }

  private static void awaitMounted(Process process, Path point, Path logFile)
      throws MountException {
    Instant deadline = Instant.now().plus(MOUNT_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (isGocryptfs(point)) {
        return;
      }
      if (!process.isAlive()) {
        throw new MountException(
            "gocryptfs exited with status "
                + process.exitValue()
                + " before mounting "
                + point
                + ": "
                + readLog(logFile));
      }
      sleep(Duration.ofMillis(20));
    }
    process.destroyForcibly();
    throw new MountException(
        "gocryptfs did not mount " + point + " within " + MOUNT_TIMEOUT.toSeconds() + " s");
  }

  private static boolean isGocryptfs(Path point) throws MountException {
    return MountTable.read().at(point).filter(e -> e.fsType().equals("fuse.gocryptfs")).isPresent();
  }

  private static void undo(
      Path cipher, Path point, Unmounter unmounter, Process process, Exception cause) {
    try {
      unmounter.unmount(point);
      if (process != null) {
        awaitExit(process);
      }
      wipe(cipher);
    } catch (MountException | RuntimeException e) {
      cause.addSuppressed(e);
    }
  }

  private static void awaitExit(Process process) {
    try {
      if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("gocryptfs (PID {}) still runs after unmount; killing it", process.pid());
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void wipe(Path cipher) throws MountException {
    try {
      SafeDelete.deleteTree(cipher);
    } catch (IOException e) {
      throw new MountException(
          "Cannot delete the cipher directory " + cipher + ": " + e + "; delete it by hand", e);
    }
  }

  private static String readLog(Path logFile) {
    try {
      String text = Files.readString(logFile, StandardCharsets.UTF_8).strip();
      return text.isEmpty() ? "(no output)" : text;
    } catch (IOException e) {
      return "(log " + logFile + " unreadable)";
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
