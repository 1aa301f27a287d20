package org.hpcs.agent.secure;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;

/**
 * Reads an open ciphertext from its start with positional reads, so that each pass sees the whole
 * file whatever the channel's position. Before it hands on any byte of the file's head it compares
 * it with the {@link CheckedHead} of the digest check, and fails with {@link
 * CiphertextChangedException} if the file changed since. Closing it leaves the file open for its
 * owner.
 */
final class CiphertextReader implements ReadableByteChannel {
  private final FileChannel file;
  private final byte[] head;
  private long position;
  private boolean open = true;

  CiphertextReader(FileChannel file, CheckedHead head) {
    this.file = file;
    this.head = head.bytes();
  }

  @Override
  public int read(ByteBuffer buffer) throws IOException {
    int start = buffer.position();
    int read = file.read(buffer, position);
    if (read > 0 && position < head.length) {
      int n = (int) Math.min(read, head.length - position);
      byte[] got = new byte[n];
      buffer.duplicate().position(start).limit(start + n).get(got);
      if (!Arrays.equals(got, 0, n, head, (int) position, (int) position + n)) {
        buffer.position(start);
        throw new CiphertextChangedException();
      }
    } else if (read < 0 && position < head.length) {
      throw new CiphertextChangedException();
    }
    if (read > 0) {
      position += read;
    }
    return read;
  }

  @Override
  public boolean isOpen() {
    return open && file.isOpen();
  }

  @Override
  public void close() {
    open = false;
  }

  /** The head read now differs from the head the digest check read. */
  static final class CiphertextChangedException extends IOException {
    private static final long serialVersionUID = 1L;

    CiphertextChangedException() {
      super("the age header changed after the digest check");
    }
  }
}
