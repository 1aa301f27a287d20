package org.hpcs.agent.mount;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A new file inside an encrypted mount, written through 1 MiB buffers so that gocryptfs receives
 * large writes (the kernel then hands it FUSE requests of up to 128 KiB instead of many small
 * ones). A writer thread writes one full buffer while the caller fills the next, so the caller's
 * work (decryption) and gocryptfs's work overlap on two cores. Call {@link #commit()} when the
 * content is complete; closing without committing deletes the partial file, so a failed stream
 * never leaves truncated data behind.
 */
public final class PlaintextFile implements WritableByteChannel {
  /** Size of each of the two write buffers. */
  public static final int BUFFER_SIZE = 1 << 20;

  private static final Logger LOG = LoggerFactory.getLogger(PlaintextFile.class);

  private final Path path;
  private final FileChannel channel;
  private final ExecutorService writer;
  // Direct buffers go to write(2) as they are; the JDK copies a heap buffer into a direct one
  // first.
  private ByteBuffer filling = ByteBuffer.allocateDirect(BUFFER_SIZE);
  private ByteBuffer spare = ByteBuffer.allocateDirect(BUFFER_SIZE);
  private Future<?> pending;
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
    this.writer =
        Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("plaintext-writer").daemon(true).factory());
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
      int n = Math.min(source.remaining(), filling.remaining());
      filling.put(source.slice(source.position(), n));
      source.position(source.position() + n);
      if (!filling.hasRemaining()) {
        flush();
      }
    }
    size += written;
    return written;
  }

  /**
   * Copies {@code in} to the end of this file, filling each 1 MiB buffer before it is written.
   *
   * @return the number of bytes copied
   */
  public long copyFrom(InputStream in) throws IOException {
    ensureOpen();
    long copied = 0;
    byte[] chunk = new byte[64 * 1024];
    int n;
    while ((n = in.read(chunk, 0, Math.min(chunk.length, filling.remaining()))) >= 0) {
      filling.put(chunk, 0, n);
      copied += n;
      if (!filling.hasRemaining()) {
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
   * Writes out the buffers and closes the file, keeping it.
   *
   * @return the number of bytes written
   */
  public long commit() throws IOException {
    ensureOpen();
    flush();
    awaitPending();
    committed = true;
    open = false;
    writer.shutdown();
    channel.close();
    return size;
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
      awaitPending();
    } catch (IOException e) {
      LOG.debug("a write of the partial file {} failed as well", path, e);
    } finally {
      writer.shutdown();
      try {
        channel.close();
      } finally {
        Files.deleteIfExists(path);
        LOG.warn("Deleted partial plaintext file {} ({} bytes written, not committed)", path, size);
      }
    }
  }

  /** Hands the filled buffer to the writer thread, once the previous one is written. */
  private void flush() throws IOException {
    awaitPending();
    if (filling.position() == 0) {
      return;
    }
    ByteBuffer full = filling.flip();
    filling = spare.clear();
    spare = full;
    pending =
        writer.submit(
            () -> {
              while (full.hasRemaining()) {
                channel.write(full);
              }
              return null;
            });
  }

  private void awaitPending() throws IOException {
    if (pending == null) {
      return;
    }
    try {
      pending.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new IOException("writing " + path + " failed: " + cause, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing " + path);
    } finally {
      pending = null;
    }
  }

  private void ensureOpen() throws ClosedChannelException {
    if (!open) {
      throw new ClosedChannelException();
    }
  }
}
