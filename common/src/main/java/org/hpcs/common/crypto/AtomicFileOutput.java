package org.hpcs.common.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * An output file that appears only when complete. Bytes go to a hidden temporary file in the
 * target's directory, created with mode 0600; {@link #commit()} moves it into place atomically and
 * {@link #close()} without a commit deletes it, so a failed write leaves nothing behind. A JVM
 * shutdown (SIGINT, SIGTERM, SIGHUP) deletes it too. Failures to create or write the file name the
 * target path, also when the file system is full.
 */
public final class AtomicFileOutput implements AutoCloseable {
  private final Path target;
  private final Path temporary;
  private final FileChannel channel;
  private final WritableByteChannel writer;
  private final boolean replace;
  private boolean committed;

  private AtomicFileOutput(Path target, Path temporary, FileChannel channel, boolean replace) {
    this.target = target;
    this.temporary = temporary;
    this.channel = channel;
    this.writer = new TargetNamingChannel();
    this.replace = replace;
  }

  /**
   * Creates the temporary file next to {@code target}.
   *
   * @param replace whether an existing target may be replaced on commit
   * @throws FileAlreadyExistsException if the target exists (a dangling symbolic link counts) and
   *     {@code replace} is false
   * @throws FileSystemException if the temporary file cannot be created in the target's directory
   */
  public static AtomicFileOutput create(Path target, boolean replace) throws IOException {
    Path absolute = target.toAbsolutePath();
    if (!replace && Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(absolute.toString(), null, "output file exists");
    }
    Path directory = absolute.getParent();
    Path temporary;
    try {
      temporary =
          Files.createTempFile(
              directory,
              "." + absolute.getFileName() + ".",
              ".partial",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (IOException e) {
      throw failure(absolute, "failed to create the output file", e, "choose a writable directory");
    }
    PendingFiles.register(temporary);
    try {
      FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE);
      return new AtomicFileOutput(absolute, temporary, channel, replace);
    } catch (IOException e) {
      Files.deleteIfExists(temporary);
      PendingFiles.release(temporary);
      throw e;
    }
  }

  /**
   * Returns the channel to write to. Closing it early is allowed. A failed write throws {@link
   * FileSystemException} naming the target.
   */
  public WritableByteChannel channel() {
    return writer;
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
    PendingFiles.release(temporary);
  }

  /** Returns an exception that names the target and the cause's reason, keeping the cause. */
  private static FileSystemException failure(
      Path target, String what, IOException cause, String remedy) {
    String reason =
        switch (cause) {
          case NoSuchFileException _ -> "directory " + target.getParent() + " does not exist";
          case AccessDeniedException _ -> "directory " + target.getParent() + " is not writable";
          case FileSystemException e when e.getReason() != null -> e.getReason();
          default -> String.valueOf(cause.getMessage());
        };
    FileSystemException failure =
        new FileSystemException(target.toString(), null, what + " (" + reason + "); " + remedy);
    failure.initCause(cause);
    return failure;
  }

  /** Writes to the temporary file and names the target when a write fails. */
  private final class TargetNamingChannel implements WritableByteChannel {
    @Override
    public int write(ByteBuffer source) throws IOException {
      try {
        return channel.write(source);
      } catch (IOException e) {
        throw failure(
            target,
            "failed to write the output file",
            e,
            "free space on its file system or choose another output path");
      }
    }

    @Override
    public boolean isOpen() {
      return channel.isOpen();
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
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
      PendingFiles.release(temporary);
    }
  }
}
