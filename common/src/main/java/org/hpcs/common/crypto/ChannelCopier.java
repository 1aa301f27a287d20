package org.hpcs.common.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.function.LongConsumer;

/** Copies one channel into another through a reused 1 MiB direct buffer. */
public final class ChannelCopier {
  /** Size of the copy buffer in bytes; large enough that per-call overhead stays negligible. */
  public static final int BUFFER_SIZE = 1 << 20;

  private ChannelCopier() {}

  /**
   * Copies until end of stream. Reads that return 0 bytes are retried, so slow network channels
   * work; writes are repeated until the buffer is drained.
   *
   * @param progress receives the number of bytes copied after each write, or a no-op
   * @return the number of bytes copied
   */
  public static long copy(ReadableByteChannel in, WritableByteChannel out, LongConsumer progress)
      throws IOException {
    ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_SIZE);
    long total = 0;
    while (in.read(buffer) >= 0) {
      total += drain(buffer, out, progress);
    }
    total += drain(buffer, out, progress);
    return total;
  }

  private static long drain(ByteBuffer buffer, WritableByteChannel out, LongConsumer progress)
      throws IOException {
    buffer.flip();
    int count = buffer.remaining();
    while (buffer.hasRemaining()) {
      out.write(buffer);
    }
    buffer.clear();
    if (count > 0) {
      progress.accept(count);
    }
    return count;
  }

  /**
   * Reads until {@code buffer} is full or the stream ends, retrying reads that return 0 bytes.
   *
   * @return the number of bytes read
   */
  static int readFully(ReadableByteChannel in, ByteBuffer buffer) throws IOException {
    int total = 0;
    while (buffer.hasRemaining()) {
      int read = in.read(buffer);
      if (read < 0) {
        break;
      }
      if (read == 0) {
        Thread.onSpinWait();
      }
      total += read;
    }
    return total;
  }
}
