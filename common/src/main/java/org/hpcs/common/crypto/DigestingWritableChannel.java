package org.hpcs.common.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;

/** Passes writes through and computes the SHA-256 and length of every byte written. */
public final class DigestingWritableChannel implements WritableByteChannel {
  private final WritableByteChannel delegate;
  private final MessageDigest digest = Sha256.newDigest();
  private long size;

  /** Wraps {@code delegate}; closing this channel closes it. */
  public DigestingWritableChannel(WritableByteChannel delegate) {
    this.delegate = delegate;
  }

  @Override
  public int write(ByteBuffer buffer) throws IOException {
    int start = buffer.position();
    int written = delegate.write(buffer);
    if (written > 0) {
      digest.update(buffer.slice(start, written));
      size += written;
    }
    return written;
  }

  /** Returns the digest and size of the bytes written so far; call once, at the end. */
  public Sha256.Result result() {
    return new Sha256.Result(Sha256.hex(digest.digest()), size);
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
