package org.hpcs.common.crypto;

import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/** Accepts and drops every byte, like writing to the null device. */
final class DiscardingChannel implements WritableByteChannel {
  private boolean open = true;

  @Override
  public int write(ByteBuffer buffer) {
    int count = buffer.remaining();
    buffer.position(buffer.limit());
    return count;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public void close() {
    open = false;
  }
}
