package org.hpcs.common.crypto;

/** The ciphertext ends before its final payload chunk: the file was cut short. */
public final class TruncatedCiphertextException extends AgeException {
  private final long chunk;

  private TruncatedCiphertextException(String message, long chunk, Throwable cause) {
    super(message, cause);
    this.chunk = chunk;
  }

  /**
   * Reports input that ended at or inside a payload chunk that does not verify as the final one.
   * Only the last chunk of a file is authenticated as final, so a file cut exactly at a chunk
   * boundary is caught here too. A corrupted final chunk looks the same, so the message mentions
   * both causes.
   */
  static TruncatedCiphertextException chunk(
      String source, long chunk, String offsetText, Throwable cause) {
    return new TruncatedCiphertextException(
        ("ciphertext %s is truncated: the input ends at payload chunk %d%s, which is not a valid"
                + " final chunk (the file was cut short, or its last bytes are corrupted); copy the"
                + " complete file again")
            .formatted(source, chunk, offsetText),
        chunk,
        cause);
  }

  /** Reports input that ended inside the header or right after it. */
  static TruncatedCiphertextException header(String source, Throwable cause) {
    return new TruncatedCiphertextException(
        "ciphertext %s is truncated: the input ends inside or right after the age header; copy the complete file again"
            .formatted(source),
        -1,
        cause);
  }

  /** Returns the index of the last payload chunk read (0 for the first), or -1 for the header. */
  public long chunk() {
    return chunk;
  }
}
