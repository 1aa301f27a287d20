package org.hpcs.common.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.security.MessageDigest;

/**
 * Base of the channels that pass bytes to or from a delegate and compute the SHA-256 and length of
 * every byte that goes through.
 *
 * @param <C> the kind of channel wrapped
 */
abstract sealed class DigestingChannel<C extends Channel> implements Channel
    permits DigestingReadableChannel, DigestingWritableChannel {
  final C delegate;
  private final MessageDigest digest = Sha256.newDigest();
  private long size;

  /** Wraps {@code delegate}; closing this channel closes it. */
  DigestingChannel(C delegate) {
    this.delegate = delegate;
  }

  /**
   * Adds the {@code count} bytes of {@code buffer} that start at index {@code start}, leaving the
   * buffer's position unchanged, and returns {@code count}.
   */
  final int digest(ByteBuffer buffer, int start, int count) {
    if (count > 0) {
      digest.update(buffer.slice(start, count));
      size += count;
    }
    return count;
  }

  /** Returns the digest and size of the bytes passed through so far; call once, at the end. */
  public final Sha256.Result result() {
    return new Sha256.Result(Sha256.hex(digest.digest()), size);
  }

  @Override
  public final boolean isOpen() {
    return delegate.isOpen();
  }

  @Override
  public final void close() throws IOException {
    delegate.close();
  }
}
