package org.hpcs.agent.userio;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Opens user-named files with the user's rights (through {@link UserIo}). Only regular files are
 * opened: a FIFO, device or directory is rejected without blocking, because the path is first
 * opened with {@code O_NONBLOCK} and checked through {@code /proc/self/fd}.
 */
public final class UserFiles {
  private static final int O_RDONLY = 0;
  private static final int O_NOCTTY = 0400;
  private static final int O_NONBLOCK = 04000;
  private static final int O_CLOEXEC = 02000000;

  private UserFiles() {}

  /**
   * Opens {@code file} for reading with {@code user}'s rights.
   *
   * @throws IOException when the user may not open it or it is not a regular file; the message
   *     names the file
   * @throws UserIoException when the user's ids could not be taken on
   */
  public static FileChannel openForReading(UserIdentity user, Path file)
      throws IOException, UserIoException {
    return UserIo.call(user, () -> openRegular(user, file));
  }

  /**
   * Reads all of {@code file} with {@code user}'s rights.
   *
   * @throws IOException when the file cannot be read, is not a regular file or has more than {@code
   *     maxBytes} bytes
   * @throws UserIoException when the user's ids could not be taken on
   */
  public static byte[] readAll(UserIdentity user, Path file, int maxBytes)
      throws IOException, UserIoException {
    try (FileChannel channel = openForReading(user, file)) {
      long size = channel.size();
      if (size > maxBytes) {
        throw new IOException(
            file + " has " + size + " bytes, more than the " + maxBytes + " allowed");
      }
      ByteBuffer buffer = ByteBuffer.allocate((int) size);
      while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
        // reads until the buffer is full or the file ends early
      }
      if (buffer.hasRemaining() || channel.read(ByteBuffer.allocate(1)) >= 0) {
        throw new IOException(file + " changed size while it was read; try again");
      }
      return buffer.array();
    }
  }

  private static FileChannel openRegular(UserIdentity user, Path file) throws IOException {
    int fd;
    try {
      fd = LibC.INSTANCE.open(file.toString(), O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    } catch (LastErrorException e) {
      throw new IOException(
          "user " + user.name() + " cannot open " + file + ": " + describe(e.getErrorCode()), e);
    }
    try {
      Path opened = Path.of("/proc/self/fd/" + fd);
      BasicFileAttributes attributes = Files.readAttributes(opened, BasicFileAttributes.class);
      if (!attributes.isRegularFile()) {
        throw new IOException(file + " is not a regular file");
      }
      return FileChannel.open(opened, StandardOpenOption.READ);
    } finally {
      closeQuietly(fd);
    }
  }

  private static String describe(int errno) {
    String text = LibC.INSTANCE.strerror(errno);
    return text == null ? "errno " + errno : text;
  }

  private static void closeQuietly(int fd) {
    try {
      LibC.INSTANCE.close(fd);
    } catch (LastErrorException e) {
      // The descriptor was opened a moment ago; close fails only for an invalid one.
    }
  }
}
