package org.hpcs.agent.secure;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * The start of a bundle's ciphertext as its digest check read it: the age header and the 16-byte
 * payload nonce that follows it.
 *
 * <p>These bytes fix the payload key. The header wraps the file key for the bundle's recipient and
 * carries a MAC made with it, and the payload key is derived from the file key and the nonce
 * (age-encryption.org/v1). When decryption reads the same head again, every payload chunk after it
 * is authenticated under the key of the checked file, so a ciphertext changed after the digest
 * check fails decryption. Without the bundle key, a writer of the file cannot make chunks that
 * pass. A new age file for the same recipient has another header.
 */
final class CheckedHead {
  /** Maximum head length accepted; a header with one X25519 stanza takes about 200 bytes. */
  static final int MAX_LENGTH = 64 * 1024;

  private static final byte[] VERSION_LINE =
      "age-encryption.org/v1\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] MAC_LINE = "\n--- ".getBytes(StandardCharsets.US_ASCII);
  private static final int NONCE_LENGTH = 16;

  private final byte[] bytes;

  private CheckedHead(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Returns a copy of the head, in file order. */
  byte[] bytes() {
    return bytes.clone();
  }

  /** Returns the number of bytes of the head. */
  int length() {
    return bytes.length;
  }

  /**
   * Finds the head in the first bytes of a binary age file.
   *
   * @param start the first bytes of the file (position 0 to limit), at most {@link #MAX_LENGTH}
   *     used
   * @return the head, or empty if {@code start} contains no complete binary age header and nonce
   */
  static Optional<CheckedHead> find(ByteBuffer start) {
    byte[] first = new byte[Math.min(start.remaining(), MAX_LENGTH)];
    start.duplicate().get(first);
    if (!startsWith(first, VERSION_LINE)) {
      return Optional.empty();
    }
    int mac = indexOf(first, MAC_LINE, VERSION_LINE.length - 1);
    if (mac < 0) {
      return Optional.empty();
    }
    int lineEnd = indexOf(first, new byte[] {'\n'}, mac + MAC_LINE.length);
    if (lineEnd < 0 || lineEnd + 1 + NONCE_LENGTH > first.length) {
      return Optional.empty();
    }
    return Optional.of(new CheckedHead(Arrays.copyOf(first, lineEnd + 1 + NONCE_LENGTH)));
  }

  private static boolean startsWith(byte[] data, byte[] prefix) {
    return data.length >= prefix.length
        && Arrays.equals(data, 0, prefix.length, prefix, 0, prefix.length);
  }

  private static int indexOf(byte[] data, byte[] needle, int from) {
    for (int i = Math.max(from, 0); i + needle.length <= data.length; i++) {
      if (Arrays.equals(data, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    return -1;
  }
}
