package org.hpcs.common.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/** Passes reads through and computes the SHA-256 and length of every byte read. */
public final class DigestingReadableChannel extends DigestingChannel<ReadableByteChannel>
    implements ReadableByteChannel {

  /** Wraps {@code delegate}; closing this channel closes it. */
  public DigestingReadableChannel(ReadableByteChannel delegate) {
    super(delegate);
  }

  @Override
  public int read(ByteBuffer buffer) throws IOException {
    int start = buffer.position();
    return digest(buffer, start, delegate.read(buffer));
  }
}
