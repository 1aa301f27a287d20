package org.hpcs.common.crypto;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * An output file that appears only when complete. Bytes go to a hidden temporary file in the
 * target's directory, created with mode 0600; {@link #commit()} moves it into place atomically and
 * {@link #close()} without a commit deletes it, so a failed write leaves nothing behind.
 */
public final class AtomicFileOutput implements AutoCloseable {
  private final Path target;
  private final Path temporary;
  private final FileChannel channel;
  private final boolean replace;
  private boolean committed;

  private AtomicFileOutput(Path target, Path temporary, FileChannel channel, boolean replace) {
    this.target = target;
    this.temporary = temporary;
    this.channel = channel;
    this.replace = replace;
  }

  /**
   * Creates the temporary file next to {@code target}.
   *
   * @param replace whether an existing target may be replaced on commit
   * @throws FileAlreadyExistsException if the target exists and {@code replace} is false
   */
  public static AtomicFileOutput create(Path target, boolean replace) throws IOException {
    Path absolute = target.toAbsolutePath();
    if (!replace && Files.exists(absolute)) {
      throw new FileAlreadyExistsException(absolute.toString(), null, "output file exists");
    }
    Path directory = absolute.getParent();
    Path temporary =
        Files.createTempFile(
            directory,
            "." + absolute.getFileName() + ".",
            ".partial",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE);
      return new AtomicFileOutput(absolute, temporary, channel, replace);
    } catch (IOException e) {
      Files.deleteIfExists(temporary);
      throw e;
    }
  }

  /** Returns the channel to write to. Closing it early is allowed. */
  public FileChannel channel() {
    return channel;
  }

  /** Returns the final path. */
  public Path target() {
    return target;
  }

  /**
   * Closes the file and renames it to the target path.
   *
   * <p>NOTE: the file is not flushed with fsync, so after a power loss the renamed file may be
   * incomplete. Consumers that must trust the content check its SHA-256 (bundle manifests do).
   *
   * @throws FileAlreadyExistsException if replacing was not allowed and the target now exists
   */
  public void commit() throws IOException {
    channel.close();
    if (replace) {
      Files.move(
          temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } else {
      Files.move(temporary, target);
    }
    committed = true;
  }

  /** Deletes the temporary file unless {@link #commit()} succeeded. */
  @Override
  public void close() throws IOException {
    if (committed) {
      return;
    }
    try {
      channel.close();
    } finally {
      Files.deleteIfExists(temporary);
    }
  }
}
