package org.hpcs.client.cli;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.hpcs.client.HpcsException;
import org.hpcs.common.crypto.AtomicFileOutput;

/**
 * The output of encrypt or decrypt: standard output, a device such as /dev/null written in place,
 * or a regular file that appears only when complete.
 */
final class StreamTarget implements AutoCloseable {
  private final WritableByteChannel channel;
  private final AtomicFileOutput file;

  private StreamTarget(WritableByteChannel channel, AtomicFileOutput file) {
    this.channel = channel;
    this.file = file;
  }

  /**
   * Opens {@code output}; null or "-" means standard output. A device or FIFO is written in place.
   * Anything else, including a symbolic link to a regular file, is replaced by a new file when the
   * output is complete, so the link's target is never half-written.
   *
   * @throws HpcsException if {@code output} is a directory
   */
  static StreamTarget open(Path output) throws IOException, HpcsException {
    if (output == null || output.toString().equals("-")) {
      return new StreamTarget(
          new NonClosing(new FileOutputStream(FileDescriptor.out).getChannel()), null);
    }
    if (Files.isDirectory(output)) {
      throw new HpcsException(
          "output " + output + " is a directory", "pass a file path to -o, such as DIR/NAME");
    }
    if (Files.exists(output) && !Files.isRegularFile(output)) {
      return new StreamTarget(FileChannel.open(output, StandardOpenOption.WRITE), null);
    }
    AtomicFileOutput file = AtomicFileOutput.create(output, true);
    return new StreamTarget(file.channel(), file);
  }

  /**
   * Opens {@code input}; null or "-" means standard input.
   *
   * @throws HpcsException if {@code input} is a directory
   */
  static ReadableByteChannel input(Path input) throws IOException, HpcsException {
    if (input == null || input.toString().equals("-")) {
      return new FileInputStream(FileDescriptor.in).getChannel();
    }
    if (Files.isDirectory(input)) {
      throw new HpcsException(
          "input " + input + " is a directory",
          "pass a file; 'hpcs bundle create --data DIR' encrypts a directory as a tar stream");
    }
    return FileChannel.open(input, StandardOpenOption.READ);
  }

  /** Returns the name of an input for messages. */
  static String inputName(Path input) {
    return input == null || input.toString().equals("-") ? "standard input" : input.toString();
  }

  static boolean isStandardOutput(Path output) {
    return output == null || output.toString().equals("-");
  }

  WritableByteChannel channel() {
    return channel;
  }

  /** Makes a file output visible; other outputs need nothing. */
  void commit() throws IOException {
    if (file != null) {
      file.commit();
    }
  }

  /** Removes an uncommitted file output. */
  @Override
  public void close() throws IOException {
    if (file != null) {
      file.close();
    } else {
      channel.close();
    }
  }

  /** Keeps standard output open when the encrypting channel closes its target. */
  private static final class NonClosing implements WritableByteChannel {
    private final FileChannel delegate;

    NonClosing(FileChannel delegate) {
      this.delegate = delegate;
    }

    @Override
    public int write(ByteBuffer buffer) throws IOException {
      return delegate.write(buffer);
    }

    @Override
    public boolean isOpen() {
      return delegate.isOpen();
    }

    @Override
    public void close() {
      // Standard output stays open for later messages.
    }
  }
}
