package org.hpcs.common.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * Passes ciphertext through and records how many bytes were read, whether the input ended and where
 * the binary age header ends, so that a payload failure can be reported with its offset and
 * classified as truncation or corruption.
 */
final class CiphertextTracker implements ReadableByteChannel {
  /** The header ends with a line that starts with "---", then the MAC, then a line feed. */
  private static final byte[] MAC_LINE_START = {'\n', '-', '-', '-', ' '};

  private static final byte[] ARMOR_END =
      "-----END AGE ENCRYPTED FILE-----".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private static final int LEADING_DASHES = 5;

  private final ReadableByteChannel delegate;
  private final byte[] tail = new byte[64];
  private int tailLength;
  private long bytesRead;
  private boolean endOfInput;
  private long headerLength = -1;
  private int matched;
  private boolean inMacLine;
  private int footerMatched;
  private boolean sawArmorFooter;
  private boolean scanArmorFooter = true;

  CiphertextTracker(ReadableByteChannel delegate) {
    this.delegate = delegate;
  }

  @Override
  public int read(ByteBuffer buffer) throws IOException {
    int start = buffer.position();
    int read = delegate.read(buffer);
    if (read < 0) {
      endOfInput = true;
      return read;
    }
    if (headerLength < 0) {
      scanHeader(buffer, start, read);
    }
    if (scanArmorFooter && !sawArmorFooter) {
      scanFooter(buffer, start, read);
    }
    keepTail(buffer, start, read);
    bytesRead += read;
    return read;
  }

  private void scanHeader(ByteBuffer buffer, int start, int count) {
    for (int i = 0; i < count && headerLength < 0; i++) {
      byte b = buffer.get(start + i);
      if (inMacLine) {
        if (b == '\n') {
          headerLength = bytesRead + i + 1;
        }
      } else if (b == MAC_LINE_START[matched]) {
        matched++;
        inMacLine = matched == MAC_LINE_START.length;
      } else {
        matched = b == '\n' ? 1 : 0;
      }
    }
  }

  /**
   * Looks for the armor END line anywhere in the input. After a mismatch, a dash restarts the match
   * at one dash, or keeps five when the mismatch came right after the leading five dashes.
   */
  private void scanFooter(ByteBuffer buffer, int start, int count) {
    for (int i = 0; i < count && !sawArmorFooter; i++) {
      byte b = buffer.get(start + i);
      if (b == ARMOR_END[footerMatched]) {
        footerMatched++;
      } else if (b == '-') {
        footerMatched = footerMatched == LEADING_DASHES ? LEADING_DASHES : 1;
      } else {
        footerMatched = 0;
      }
      sawArmorFooter = footerMatched == ARMOR_END.length;
    }
  }

  private void keepTail(ByteBuffer buffer, int start, int count) {
    int take = Math.min(count, tail.length);
    int keep = Math.min(tailLength, tail.length - take);
    System.arraycopy(tail, tailLength - keep, tail, 0, keep);
    buffer.get(start + count - take, tail, keep, take);
    tailLength = keep + take;
  }

  /** Tells whether the input ended and its last non-blank text is the armor END line. */
  boolean endedWithArmorFooter() {
    int end = tailLength;
    while (end > 0 && Character.isWhitespace(tail[end - 1])) {
      end--;
    }
    return endOfInput
        && end >= ARMOR_END.length
        && java.util.Arrays.equals(
            tail, end - ARMOR_END.length, end, ARMOR_END, 0, ARMOR_END.length);
  }

  /**
   * Stops looking for the armor END line, once the input is known to be binary age. Only armored
   * input consults it, and the byte-by-byte scan would otherwise run over the whole payload.
   */
  void stopArmorFooterScan() {
    scanArmorFooter = false;
  }

  /** Tells whether the armor END line was read, wherever it was in the input. */
  boolean sawArmorFooter() {
    return sawArmorFooter;
  }

  /** Tells whether the input continued with more than blank text after the armor END line. */
  boolean hasDataAfterArmorFooter() {
    return sawArmorFooter && (!endOfInput || !endedWithArmorFooter());
  }

  long bytesRead() {
    return bytesRead;
  }

  boolean endOfInput() {
    return endOfInput;
  }

  /** Returns the length of the binary header including its MAC line, or -1 if not yet seen. */
  long headerLength() {
    return headerLength;
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
