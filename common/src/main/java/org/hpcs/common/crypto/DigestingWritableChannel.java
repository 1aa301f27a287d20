package org.hpcs.common.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/** Passes writes through and computes the SHA-256 and length of every byte written. */
public final class DigestingWritableChannel extends DigestingChannel<WritableByteChannel>
    implements WritableByteChannel {

  /** Wraps {@code delegate}; closing this channel closes it. */
  public DigestingWritableChannel(WritableByteChannel delegate) {
    super(delegate);
  }

  @Override
  public int write(ByteBuffer buffer) throws IOException {
    int start = buffer.position();
    return digest(buffer, start, delegate.write(buffer));
  }
}
