package org.hpcs.common.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.SecretKey;
import javax.security.auth.DestroyFailedException;

/**
 * Returns the plaintext of a binary age v1 payload: 64 KiB chunks, each sealed with
 * ChaCha20-Poly1305 under the payload key, opened by one reused {@link ChunkOpener} on the caller's
 * thread. A chunk's plaintext is returned only after its tag verified.
 *
 * <p>A chunk is opened as the last one when the input ends right after it. One byte read past each
 * full chunk shows whether more input follows. Failures are classified by {@link PayloadFailures},
 * and {@code read} throws them wrapped in {@link AgeStreamException}.
 */
final class PayloadDecryptingChannel implements ReadableByteChannel {
  private static final int PLAIN_CHUNK = PayloadChannel.PLAIN_CHUNK;
  private static final int ENCRYPTED_CHUNK = PayloadChannel.ENCRYPTED_CHUNK;

  private final ReadableByteChannel input;
  private final SecretKey payloadKey;
  private final ChunkOpener opener;
  private final PayloadFailures failures;

  /** The sealed chunk being read, plus one byte of the next chunk when there is one. */
  private final byte[] sealed = new byte[ENCRYPTED_CHUNK + 1];

  private final byte[] plain = new byte[PLAIN_CHUNK];
  private int sealedLength;
  private int plainPosition;
  private int plainLimit;
  private long counter;
  private boolean finished;
  private boolean open = true;
  private AgeException failure;

  /**
   * Creates a channel over the payload that follows the age header.
   *
   * @param payloadKey the key derived from the file key and the payload nonce; destroyed on close
   * @param start payload bytes that were read together with the header, from position to limit
   * @param payloadOffset the ciphertext byte offset of the first payload chunk, for messages
   */
  PayloadDecryptingChannel(
      ReadableByteChannel input,
      SecretKey payloadKey,
      ByteBuffer start,
      String source,
      long payloadOffset)
      throws GeneralSecurityException {
    if (start.remaining() > sealed.length) {
      throw new IllegalArgumentException(
          start.remaining() + " payload bytes do not fit a " + sealed.length + "-byte buffer");
    }
    this.input = input;
    this.payloadKey = payloadKey;
    this.opener = new ChunkOpener(payloadKey);
    this.failures = new PayloadFailures(opener, source, payloadOffset);
    this.sealedLength = start.remaining();
    start.get(sealed, 0, sealedLength);
  }

  @Override
  public int read(ByteBuffer buffer) throws IOException {
    if (!open) {
      throw new ClosedChannelException();
    }
    if (failure != null) {
      throw new AgeStreamException(failure);
    }
    int count = 0;
    while (buffer.hasRemaining()) {
      if (plainPosition == plainLimit) {
        if (finished) {
          break;
        }
        nextChunk();
      }
      int take = Math.min(buffer.remaining(), plainLimit - plainPosition);
      buffer.put(plain, plainPosition, take);
      plainPosition += take;
      count += take;
    }
    return count == 0 && finished && buffer.hasRemaining() ? -1 : count;
  }

  /** Reads and opens the next chunk into {@link #plain}, or records and throws its failure. */
  private void nextChunk() throws IOException {
    ByteBuffer free = ByteBuffer.wrap(sealed, sealedLength, sealed.length - sealedLength);
    try {
      ChannelCopier.readFully(input, free);
    } finally {
      // Keeps what a failed read delivered, so that a retried read continues where it stopped.
      sealedLength = free.position();
    }
    boolean last = sealedLength <= ENCRYPTED_CHUNK;
    try {
      plainLimit = last ? openLast(sealedLength) : openMiddle();
    } catch (AgeException e) {
      failure = e;
      throw new AgeStreamException(e);
    } catch (GeneralSecurityException e) {
      throw new IOException("age payload chunk " + counter + " could not be decrypted", e);
    }
    plainPosition = 0;
    counter++;
    finished = last;
    if (!last) {
      sealed[0] = sealed[ENCRYPTED_CHUNK];
      sealedLength = 1;
    }
  }

  private int openMiddle() throws AgeException, GeneralSecurityException {
    int length = opener.open(counter, false, sealed, ENCRYPTED_CHUNK, plain);
    if (length < 0) {
      throw failures.middleChunk(counter, sealed, ENCRYPTED_CHUNK, plain);
    }
    return length;
  }

  private int openLast(int sealedBytes) throws AgeException, GeneralSecurityException {
    if (sealedBytes == 0 && counter == 0) {
      throw TruncatedCiphertextException.header(failures.source(), null);
    }
    int length = opener.open(counter, true, sealed, sealedBytes, plain);
    if (length < 0) {
      throw failures.lastChunk(counter, sealed, sealedBytes, plain);
    }
    if (length == 0 && counter > 0) {
      throw failures.emptyFinalChunk(counter);
    }
    return length;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  /** Closes the input, destroys the payload key and clears the plaintext buffer. */
  @Override
  public void close() throws IOException {
    if (!open) {
      return;
    }
    open = false;
    Arrays.fill(plain, (byte) 0);
    try {
      payloadKey.destroy();
    } catch (DestroyFailedException e) {
      // Keys that cannot be destroyed are dropped with this channel.
    }
    input.close();
  }
}
