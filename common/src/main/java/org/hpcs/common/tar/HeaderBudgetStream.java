package org.hpcs.common.tar;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Counts the bytes the tar reader consumes while it parses the headers of one entry, and fails once
 * they pass a budget. The reader keeps pax and GNU long-name records in memory, so without this
 * bound one entry could claim gigabytes of heap.
 */
final class HeaderBudgetStream extends FilterInputStream {
  private long remaining = -1;

  HeaderBudgetStream(InputStream in) {
    super(in);
  }

  /** Starts counting header bytes against {@code budget}. */
  void arm(long budget) {
    remaining = budget;
  }

  /** Stops counting, while entry data is read. */
  void disarm() {
    remaining = -1;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b >= 0) {
      charge(1);
    }
    return b;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    int read = super.read(buffer, offset, length);
    charge(read);
    return read;
  }

  @Override
  public long skip(long count) throws IOException {
    long skipped = super.skip(count);
    charge(skipped);
    return skipped;
  }

  private void charge(long count) throws HeaderTooLargeException {
    if (remaining < 0 || count <= 0) {
      return;
    }
    remaining -= count;
    if (remaining < 0) {
      throw new HeaderTooLargeException();
    }
  }

  /** The header data of one entry passed the budget. */
  static final class HeaderTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    HeaderTooLargeException() {
      super("tar header data exceeds its budget");
    }
  }
}
