package org.hpcs.common.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.security.MessageDigest;

/** Passes reads through and computes the SHA-256 and length of every byte read. */
public final class DigestingReadableChannel implements ReadableByteChannel {
  private final ReadableByteChannel delegate;
  private final MessageDigest digest = Sha256.newDigest();
  private long size;

  /** Wraps {@code delegate}; closing this channel closes it. */
  public DigestingReadableChannel(ReadableByteChannel delegate) {
    this.delegate = delegate;
  }

  @Override
  public int read(ByteBuffer buffer) throws IOException {
    int start = buffer.position();
    int read = delegate.read(buffer);
    if (read > 0) {
      digest.update(buffer.slice(start, read));
      size += read;
    }
    return read;
  }

  /** Returns the digest and size of the bytes read so far; call once, at the end. */
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
