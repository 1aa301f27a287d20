package org.hpcs.agent.mount;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A new file inside an encrypted mount, written through a 1 MiB buffer so that gocryptfs receives
 * large writes (the kernel then hands it FUSE requests of up to 128 KiB instead of many small
 * ones). The SHA-256 of everything written is computed on the way. Call {@link #commit()} when the
 * content is complete; closing without committing deletes the partial file, so a failed stream
 * never leaves truncated data behind.
 */
public final class PlaintextFile implements WritableByteChannel {
  /** Size of the write buffer. */
  public static final int BUFFER_SIZE = 1 << 20;

  private static final Logger LOG = LoggerFactory.getLogger(PlaintextFile.class);

  private final Path path;
  private final FileChannel channel;
  private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
  private final MessageDigest digest;
  private long size;
  private boolean open = true;
  private boolean committed;

  /**
   * Creates {@code path} (which must not exist, and is not followed if it is a link) with mode 0644
   * and opens it. Files inside an encrypted mount come from {@link GocryptfsMount#openForWrite}.
   *
   * @throws IOException if the file exists or cannot be created
   */
  public static PlaintextFile create(Path path) throws IOException {
    FileChannel channel =
        FileChannel.open(
            path,
            Set.of(
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
    return new PlaintextFile(path, channel);
  }

  PlaintextFile(Path path, FileChannel channel) {
    this.path = path;
    this.channel = channel;
    this.digest = sha256();
  }

  /** Returns the file's path in the plaintext view. */
  public Path path() {
    return path;
  }

  @Override
  public int write(ByteBuffer source) throws IOException {
    ensureOpen();
    int written = source.remaining();
    while (source.hasRemaining()) {
      int n = Math.min(source.remaining(), buffer.remaining());
      ByteBuffer slice = source.slice(source.position(), n);
      digest.update(slice.duplicate());
      buffer.put(slice);
      source.position(source.position() + n);
      if (!buffer.hasRemaining()) {
        flush();
      }
    }
    size += written;
    return written;
  }

  /**
   * Copies {@code in} to the end of this file, filling the 1 MiB buffer before each write.
   *
   * @return the number of bytes copied
   */
  public long copyFrom(InputStream in) throws IOException {
    ensureOpen();
    long copied = 0;
    byte[] array = buffer.array();
    int n;
    while ((n = in.read(array, buffer.position(), buffer.remaining())) >= 0) {
      digest.update(array, buffer.position(), n);
      buffer.position(buffer.position() + n);
      copied += n;
      if (!buffer.hasRemaining()) {
        flush();
      }
    }
    size += copied;
    return copied;
  }

  /** Returns the number of bytes written so far. */
  public long size() {
    return size;
  }

  /**
   * Writes out the buffer and closes the file, keeping it.
   *
   * @return the lower-case hex SHA-256 of the content
   */
  public String commit() throws IOException {
    ensureOpen();
    flush();
    committed = true;
    open = false;
    channel.close();
    return HexFormat.of().formatHex(digest.digest());
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  /** Closes the file; if it was not committed, deletes what was written. */
  @Override
  public void close() throws IOException {
    if (committed || !open) {
      return;
    }
    open = false;
    try {
      channel.close();
    } finally {
      Files.deleteIfExists(path);
      LOG.warn("Deleted partial plaintext file {} ({} bytes written, not committed)", path, size);
    }
  }

  private void flush() throws IOException {
    buffer.flip();
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    buffer.clear();
  }

  private void ensureOpen() throws ClosedChannelException {
    if (!open) {
      throw new ClosedChannelException();
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every Java runtime provides SHA-256", e);
    }
  }
}
