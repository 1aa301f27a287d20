package org.hpcs.common.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.IvParameterSpec;

/**
 * Seals age payload chunks with the JDK's ChaCha20-Poly1305. The 12-byte nonce of chunk {@code n}
 * is {@code n} as an 11-byte big-endian counter followed by 0x01 for the last chunk and 0x00 for
 * every other. One cipher object is reused for all chunks; it is not thread-safe.
 */
final class ChunkSealer {
  static final int TAG_LENGTH = 16;
  private static final int NONCE_LENGTH = 12;
  private static final int COUNTER_LENGTH = NONCE_LENGTH - 1;

  private final Cipher cipher;
  private final SecretKey key;

  ChunkSealer(SecretKey key) throws GeneralSecurityException {
    this.cipher = Cipher.getInstance("ChaCha20-Poly1305");
    this.key = key;
  }

  /**
   * Seals {@code length} plaintext bytes as chunk {@code counter} into {@code output}.
   *
   * @return the number of bytes written, {@code length + 16}
   */
  int seal(
      long counter,
      boolean last,
      byte[] input,
      int inputOffset,
      int length,
      byte[] output,
      int outputOffset)
      throws GeneralSecurityException {
    cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(nonce(counter, last)));
    return cipher.doFinal(input, inputOffset, length, output, outputOffset);
  }

  /** Returns the nonce of chunk {@code counter}; the counter is never negative. */
  static byte[] nonce(long counter, boolean last) {
    if (counter < 0) {
      throw new IllegalArgumentException("age chunk counter " + counter + " is negative");
    }
    byte[] nonce = new byte[NONCE_LENGTH];
    long value = counter;
    for (int i = COUNTER_LENGTH - 1; i >= 0 && value != 0; i--) {
      nonce[i] = (byte) value;
      value >>>= 8;
    }
    nonce[COUNTER_LENGTH] = (byte) (last ? 1 : 0);
    return nonce;
  }
}
