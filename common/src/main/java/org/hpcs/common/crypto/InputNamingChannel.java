package org.hpcs.common.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/**
 * Reads an input file and names it when a read fails: the JDK reports "Is a directory" or an I/O
 * error without the path, which leaves the user guessing which file failed.
 */
final class InputNamingChannel implements ReadableByteChannel {
  private final FileChannel channel;
  private final Path file;

  InputNamingChannel(FileChannel channel, Path file) {
    this.channel = channel;
    this.file = file;
  }

  @Override
  public int read(ByteBuffer buffer) throws IOException {
    try {
      return channel.read(buffer);
    } catch (IOException e) {
      FileSystemException failure =
          new FileSystemException(
              file.toString(),
              null,
              "failed to read the input file ("
                  + e.getMessage()
                  + "); pass a readable regular file");
      failure.initCause(e);
      throw failure;
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
