package org.hpcs.common.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.IvParameterSpec;

/**
 * Opens age payload chunks with the JDK's ChaCha20-Poly1305, using the nonces of {@link
 * ChunkSealer}. One cipher object is reused for all chunks; it is not thread-safe. The JDK checks
 * the tag before it decrypts, so a chunk that fails authentication writes no plaintext.
 */
final class ChunkOpener {
  private final Cipher cipher;
  private final SecretKey key;

  ChunkOpener(SecretKey key) throws GeneralSecurityException {
    this.cipher = Cipher.getInstance("ChaCha20-Poly1305");
    this.key = key;
  }

  /**
   * Authenticates and decrypts {@code length} bytes of sealed chunk {@code counter} into {@code
   * output} at offset 0.
   *
   * @param last whether to open the chunk as the last one (its nonce carries the last-chunk flag)
   * @return the number of plaintext bytes, {@code length - 16}, or -1 if the chunk fails
   *     authentication under this counter and flag
   * @throws GeneralSecurityException if the cipher rejects the key or nonce
   */
  int open(long counter, boolean last, byte[] input, int length, byte[] output)
      throws GeneralSecurityException {
    if (length < ChunkSealer.TAG_LENGTH) {
      return -1;
    }
    cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(ChunkSealer.nonce(counter, last)));
    try {
      return cipher.doFinal(input, 0, length, output, 0);
    } catch (AEADBadTagException e) {
      return -1;
    }
  }
}
