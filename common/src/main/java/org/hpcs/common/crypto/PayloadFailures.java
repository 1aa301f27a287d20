package org.hpcs.common.crypto;

import java.security.GeneralSecurityException;

/**
 * Classifies why a binary age payload chunk failed to open, by trying it again under the other flag
 * and at shorter lengths. Runs only after a failure, so its extra work never slows a good file.
 */
final class PayloadFailures {
  /** Bytes of trial authentication spent looking for the end of a final chunk (estimate: 0.1 s). */
  private static final long SEARCH_BUDGET = 128L << 20;

  private final ChunkOpener opener;
  private final String source;
  private final long payloadOffset;

  /**
   * Creates a classifier for the payload of {@code source}.
   *
   * @param payloadOffset the ciphertext byte offset of the first payload chunk
   */
  PayloadFailures(ChunkOpener opener, String source, long payloadOffset) {
    this.opener = opener;
    this.source = source;
    this.payloadOffset = payloadOffset;
  }

  String source() {
    return source;
  }

  /**
   * Classifies a full chunk that more input follows and that fails to open as a middle chunk.
   *
   * @param scratch a buffer of at least 64 KiB that receives trial plaintext and is never released
   */
  AgeException middleChunk(long counter, byte[] sealed, int length, byte[] scratch)
      throws GeneralSecurityException {
    int finalLength = finalChunkLength(counter, sealed, length, scratch);
    if (finalLength >= 0) {
      return CorruptedCiphertextException.trailingData(source, counter, end(counter, finalLength));
    }
    return CorruptedCiphertextException.chunk(source, counter, offsetText(counter), null);
  }

  /**
   * Classifies the chunk at the end of the input that fails to open as the last chunk. A full chunk
   * that opens as a middle chunk shows a file cut exactly at a chunk boundary.
   */
  AgeException lastChunk(long counter, byte[] sealed, int length, byte[] scratch)
      throws GeneralSecurityException {
    if (opener.open(counter, false, sealed, length, scratch) >= 0) {
      if (length < PayloadChannel.ENCRYPTED_CHUNK) {
        return CorruptedCiphertextException.shortChunkNotFinal(
            source, counter, offsetText(counter));
      }
      return TruncatedCiphertextException.chunk(source, counter, offsetText(counter), null);
    }
    int finalLength = finalChunkLength(counter, sealed, length - 1, scratch);
    if (finalLength >= 0) {
      return CorruptedCiphertextException.trailingData(source, counter, end(counter, finalLength));
    }
    return TruncatedCiphertextException.chunk(source, counter, offsetText(counter), null);
  }

  /** Reports an empty last chunk after other chunks; only an empty plaintext has one. */
  AgeException emptyFinalChunk(long counter) {
    return CorruptedCiphertextException.emptyFinalChunk(source, counter, offsetText(counter));
  }

  /**
   * Returns a length, at most {@code maxLength}, at which the chunk opens as the last chunk, or -1.
   * A match means that data follows the last chunk. Each try is a Poly1305 pass over the candidate,
   * and trying every length of a full chunk would cost about 2 GB of it, so the search tries the
   * longest and the shortest candidates in turn until {@value #SEARCH_BUDGET} bytes were processed.
   *
   * <p>NOTE: the budget finds data appended after a final chunk of up to about 11 KiB, whatever its
   * length, and up to about 1 KiB of data after a longer final chunk. Other cases are reported as a
   * failing or truncated chunk, still without releasing its plaintext.
   */
  private int finalChunkLength(long counter, byte[] sealed, int maxLength, byte[] scratch)
      throws GeneralSecurityException {
    int shortest = ChunkSealer.TAG_LENGTH;
    int longest = maxLength;
    long spent = 0;
    while (shortest <= longest && spent < SEARCH_BUDGET) {
      if (opener.open(counter, true, sealed, longest, scratch) >= 0) {
        return longest;
      }
      spent += longest--;
      if (shortest <= longest && opener.open(counter, true, sealed, shortest, scratch) >= 0) {
        return shortest;
      }
      spent += shortest++;
    }
    return -1;
  }

  private long start(long counter) {
    return payloadOffset + counter * PayloadChannel.ENCRYPTED_CHUNK;
  }

  private long end(long counter, int length) {
    return start(counter) + length;
  }

  private String offsetText(long counter) {
    return " (ciphertext byte offset " + start(counter) + ")";
  }
}
