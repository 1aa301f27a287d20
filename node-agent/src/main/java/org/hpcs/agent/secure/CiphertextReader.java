package org.hpcs.agent.secure;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;

/**
 * Reads an open ciphertext from its start with positional reads, so that each pass sees the whole
 * file whatever the channel's position. Closing it leaves the file open for its owner.
 */
final class CiphertextReader implements ReadableByteChannel {
  private final FileChannel file;
  private long position;
  private boolean open = true;

  CiphertextReader(FileChannel file) {
    this.file = file;
  }

  @Override
  public int read(ByteBuffer buffer) throws IOException {
    int read = file.read(buffer, position);
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
}
