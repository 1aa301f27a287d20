package org.hpcs.common.crypto;

/** The ciphertext was modified: its header or a payload chunk fails authentication. */
public final class CorruptedCiphertextException extends AgeException {
  private final long chunk;

  private CorruptedCiphertextException(String message, long chunk, Throwable cause) {
    super(message, cause);
    this.chunk = chunk;
  }

  /** Reports a payload chunk that fails authentication before the end of the input. */
  static CorruptedCiphertextException chunk(
      String source, long chunk, String offsetText, Throwable cause) {
    return new CorruptedCiphertextException(
        "ciphertext %s is corrupted: payload chunk %d%s fails authentication; copy or fetch the file again"
            .formatted(source, chunk, offsetText),
        chunk,
        cause);
  }

  /**
   * Reports data after the last payload chunk, at {@code endOffset}: a file with something
   * appended, or two files joined.
   */
  static CorruptedCiphertextException trailingData(String source, long chunk, long endOffset) {
    return new CorruptedCiphertextException(
        ("ciphertext %s is corrupted: it has trailing data after the final payload chunk %d, which"
                + " ends at ciphertext byte offset %d; cut the file to %d bytes if the rest was"
                + " appended, or copy or fetch the file again")
            .formatted(source, chunk, endOffset, endOffset),
        chunk,
        null);
  }

  /** Reports an empty final chunk after other chunks: age allows it only for an empty file. */
  static CorruptedCiphertextException emptyFinalChunk(
      String source, long chunk, String offsetText) {
    return new CorruptedCiphertextException(
        ("ciphertext %s is corrupted: payload chunk %d%s is an empty final chunk, which age allows"
                + " only when the whole plaintext is empty; copy or fetch the file again")
            .formatted(source, chunk, offsetText),
        chunk,
        null);
  }

  /** Reports a chunk shorter than 64 KiB at the end of the input that is not marked as last. */
  static CorruptedCiphertextException shortChunkNotFinal(
      String source, long chunk, String offsetText) {
    return new CorruptedCiphertextException(
        ("ciphertext %s is corrupted: payload chunk %d%s is shorter than 64 KiB but not marked as"
                + " the final chunk; copy or fetch the file again")
            .formatted(source, chunk, offsetText),
        chunk,
        null);
  }

  /** Reports a header that does not parse or whose MAC does not verify. */
  static CorruptedCiphertextException header(String source, Throwable cause) {
    return new CorruptedCiphertextException(
        "ciphertext %s is corrupted: its age header is malformed or fails authentication; copy or fetch the file again"
            .formatted(source),
        -1,
        cause);
  }

  /** Reports armored input whose Base64 body does not decode. */
  static CorruptedCiphertextException armor(String source, Throwable cause) {
    return new CorruptedCiphertextException(
        "ciphertext %s is corrupted: its ASCII armor is not valid Base64 with 64-column lines and the END line; copy the file again"
            .formatted(source),
        -1,
        cause);
  }

  /** Reports armored input that continues after its END line with more than blank lines. */
  static CorruptedCiphertextException dataAfterArmor(String source, Throwable cause) {
    return new CorruptedCiphertextException(
        "ciphertext %s has data after its END line (-----END AGE ENCRYPTED FILE-----); remove what follows that line, or copy the file again"
            .formatted(source),
        -1,
        cause);
  }

  /** Returns the index of the failing payload chunk (0 for the first), or -1 for the header. */
  public long chunk() {
    return chunk;
  }
}
