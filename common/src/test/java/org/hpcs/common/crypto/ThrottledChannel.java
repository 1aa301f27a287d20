package org.hpcs.common.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.SplittableRandom;

/**
 * Returns at most 1 to 7 bytes per read, and 0 bytes on about one read in five, like a slow SSH or
 * HTTP stream.
 */
final class ThrottledChannel implements ReadableByteChannel {
  private final ReadableByteChannel delegate;
  private final SplittableRandom random;

  ThrottledChannel(ReadableByteChannel delegate, long seed) {
    this.delegate = delegate;
    this.random = new SplittableRandom(seed);
  }

  @Override
  public int read(ByteBuffer buffer) throws IOException {
    if (random.nextInt(5) == 0) {
      return 0;
    }
    int allowed = Math.min(buffer.remaining(), 1 + random.nextInt(7));
    ByteBuffer window = buffer.slice(buffer.position(), allowed);
    int read = delegate.read(window);
    if (read > 0) {
      buffer.position(buffer.position() + read);
    }
    return read;
  }

  @Override
  public boolean isOpen() {
    return delegate.isOpen();
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }
}
