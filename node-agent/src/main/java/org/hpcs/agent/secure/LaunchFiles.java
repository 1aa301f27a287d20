package org.hpcs.agent.secure;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Writes the launch files that tell the SPANK plugin how to start a step's tasks in the container.
 * A launch file lives in a root-owned directory (mode 0711: users may open a file whose name they
 * know, but not list or change the directory) as {@code <job>.<step>}, belongs to root and the job
 * user's primary group with mode 0640, and holds only the container runtime's command line, which
 * contains no secret.
 *
 * <p>Format (docs/protocol.md): NUL-terminated strings, {@value #MAGIC} first, then the mode {@code
 * argv} (append the task's whole argv) or {@code args} (append the task's argv without its first
 * element, for the batch step, whose script the prefix already names inside the container), then
 * the task output path (empty: keep Slurm's), then the argv prefix, whose first element is an
 * absolute path. The plugin appends {@code .<task>.out} to the task output path, opens that file as
 * the job user and makes it the task's standard output and error.
 */
final class LaunchFiles {
  /** First string of every launch file; a new format gets a new number. */
  static final String MAGIC = "HPCS-LAUNCH-2";

  /** Largest launch file the plugin reads. */
  static final int MAX_BYTES = 64 * 1024;

  /** Largest number of prefix elements the plugin accepts. */
  static final int MAX_ARGS = 1024;

  /** Mode in which the plugin appends a task's own argv to the prefix. */
  enum Mode {
    /** Append the whole task argv. */
    ARGV("argv"),
    /** Append the task argv without its first element. */
    ARGS("args");

    private final String wire;

    Mode(String wire) {
      this.wire = wire;
    }
  }

  private final Path dir;

  LaunchFiles(Path dir) {
    this.dir = dir;
  }

  /** Creates the directory (root, 0711) and its missing parents (root, 0755), if needed. */
  void prepare() throws IOException {
    BaseDirectories.create(dir, "rwx--x--x");
  }

  /** Returns the path of a step's launch file. */
  Path pathOf(long jobId, long stepId) {
    return dir.resolve(jobId + "." + stepId);
  }

  /**
   * Writes a step's launch file, replacing an older one atomically.
   *
   * @param gid the job user's primary group, which may read the file
   * @throws IOException when the file cannot be written
   * @throws IllegalArgumentException when the prefix is empty, too long or contains a NUL
   */
  Path write(
      long jobId, long stepId, int gid, Mode mode, Optional<Path> taskOutput, List<String> prefix)
      throws IOException {
    byte[] content = encode(mode, taskOutput, prefix);
    Path target = pathOf(jobId, stepId);
    Path temp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (FileChannel channel =
          FileChannel.open(
              temp,
              java.util.Set.of(
                  StandardOpenOption.CREATE_NEW,
                  StandardOpenOption.WRITE,
                  LinkOption.NOFOLLOW_LINKS),
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      Files.setAttribute(temp, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
      Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r-----"));
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return target;
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Deletes a step's launch file, if any. */
  void delete(long jobId, long stepId) throws IOException {
    Files.deleteIfExists(pathOf(jobId, stepId));
  }

  /** Deletes every launch file of a job. */
  void deleteAll(long jobId) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, jobId + ".*")) {
      for (Path file : files) {
        Files.deleteIfExists(file);
      }
    }
  }

  /** Returns the launch file's bytes. */
  static byte[] encode(Mode mode, Optional<Path> taskOutput, List<String> prefix) {
    if (prefix.isEmpty() || prefix.size() > MAX_ARGS || !prefix.getFirst().startsWith("/")) {
      throw new IllegalArgumentException(
          "a launch prefix needs 1 to " + MAX_ARGS + " elements, the first an absolute path");
    }
    if (taskOutput.isPresent() && !taskOutput.get().isAbsolute()) {
      throw new IllegalArgumentException(
          "the task output path " + taskOutput.get() + " is not absolute");
    }
    String output = taskOutput.map(Path::toString).orElse("");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String element : concat(List.of(MAGIC, mode.wire, output), prefix)) {
      if (element.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("launch prefix element contains a NUL byte");
      }
      out.writeBytes(element.getBytes(StandardCharsets.UTF_8));
      out.write(0);
    }
    if (out.size() > MAX_BYTES) {
      throw new IllegalArgumentException(
          "launch file of " + out.size() + " bytes exceeds " + MAX_BYTES);
    }
    return out.toByteArray();
  }

  private static List<String> concat(List<String> head, List<String> tail) {
    java.util.ArrayList<String> all = new java.util.ArrayList<>(head);
    all.addAll(tail);
    return all;
  }
}
