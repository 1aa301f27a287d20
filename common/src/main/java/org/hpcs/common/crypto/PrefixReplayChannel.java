package org.hpcs.common.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/** Returns bytes that were already read to detect the format, then the rest of the input. */
final class PrefixReplayChannel implements ReadableByteChannel {
  private final ByteBuffer prefix;
  private final ReadableByteChannel rest;

  PrefixReplayChannel(ByteBuffer prefix, ReadableByteChannel rest) {
    this.prefix = prefix;
    this.rest = rest;
  }

  @Override
  public int read(ByteBuffer buffer) throws IOException {
    if (!prefix.hasRemaining()) {
      return rest.read(buffer);
    }
    int count = Math.min(prefix.remaining(), buffer.remaining());
    ByteBuffer slice = prefix.slice(prefix.position(), count);
    buffer.put(slice);
    prefix.position(prefix.position() + count);
    return count;
  }

  @Override
  public boolean isOpen() {
    return rest.isOpen();
  }

  @Override
  public void close() throws IOException {
    rest.close();
  }
}
