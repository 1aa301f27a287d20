package org.hpcs.common.crypto;

import com.exceptionfactory.jagged.PayloadException;
import com.exceptionfactory.jagged.framework.armor.ArmoredDecodingException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * Wraps the jagged decrypting channel of armored input. It counts plaintext bytes to locate the
 * failing chunk and turns payload failures into {@link TruncatedCiphertextException} (the input had
 * ended without the END line) or {@link CorruptedCiphertextException}, wrapped in {@link
 * AgeStreamException}. Binary input goes through {@link PayloadDecryptingChannel} instead.
 */
final class PayloadChannel implements ReadableByteChannel {
  static final int PLAIN_CHUNK = 64 * 1024;
  static final int ENCRYPTED_CHUNK = PLAIN_CHUNK + 16;
  static final int PAYLOAD_NONCE = 16;

  private final ReadableByteChannel decrypting;
  private final CiphertextTracker tracker;
  private final String source;
  private long plaintextBytes;

  PayloadChannel(ReadableByteChannel decrypting, CiphertextTracker tracker, String source) {
    this.decrypting = decrypting;
    this.tracker = tracker;
    this.source = source;
  }

  @Override
  public int read(ByteBuffer buffer) throws IOException {
    int start = buffer.position();
    try {
      int read = decrypting.read(buffer);
      if (read > 0) {
        plaintextBytes += read;
      }
      return read;
    } catch (PayloadException e) {
      plaintextBytes += buffer.position() - start;
      throw new AgeStreamException(classify(e));
    } catch (ArmoredDecodingException | RuntimeException e) {
      // jagged 1.0.0 throws BufferUnderflowException when armored input ends without the line
      // feed of a Base64 line. That is damaged input, like a Base64 decoding failure.
      plaintextBytes += buffer.position() - start;
      throw new AgeStreamException(classifyArmor(e));
    }
  }

  private AgeException classifyArmor(Exception e) {
    if (tracker.hasDataAfterArmorFooter()) {
      return CorruptedCiphertextException.dataAfterArmor(source, e);
    }
    return AgeDecryptor.isArmorTruncated(tracker)
        ? TruncatedCiphertextException.chunk(source, plaintextBytes / PLAIN_CHUNK, "", e)
        : CorruptedCiphertextException.armor(source, e);
  }

  private AgeException classify(Exception e) {
    long chunk = plaintextBytes / PLAIN_CHUNK;
    if (tracker.endOfInput() && !tracker.endedWithArmorFooter()) {
      return TruncatedCiphertextException.chunk(source, chunk, "", e);
    }
    return CorruptedCiphertextException.chunk(source, chunk, "", e);
  }

  @Override
  public boolean isOpen() {
    return decrypting.isOpen();
  }

  @Override
  public void close() throws IOException {
    decrypting.close();
  }
}
