package org.hpcs.common.crypto;

import com.exceptionfactory.jagged.PayloadException;
import com.exceptionfactory.jagged.RecipientStanzaReader;
import com.exceptionfactory.jagged.UnsupportedRecipientStanzaException;
import com.exceptionfactory.jagged.framework.armor.ArmoredDecodingException;
import com.exceptionfactory.jagged.framework.armor.ArmoredDecryptingChannelFactory;
import com.exceptionfactory.jagged.framework.format.StandardPayloadKeyReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongConsumer;
import javax.crypto.SecretKey;
import javax.security.auth.DestroyFailedException;

/**
 * Streaming age decryption of binary or armored input (the format is detected from the first
 * bytes). Memory use is bounded by a few buffers whatever the input size. jagged reads the header;
 * the binary payload is opened by {@link PayloadDecryptingChannel} on the caller's thread, the
 * armored one by jagged.
 */
public final class AgeDecryptor {
  private static final byte[] BINARY_MAGIC =
      "age-encryption.org/v1\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ARMOR_MAGIC =
      "-----BEGIN AGE ENCRYPTED FILE-----".getBytes(StandardCharsets.US_ASCII);

  private AgeDecryptor() {}

  /**
   * Decrypts {@code in} into {@code out}. On failure {@code out} may hold a prefix of the
   * plaintext: write to an {@link AtomicFileOutput} so that it is removed.
   *
   * @param source the input's name for messages (a path, or "standard input")
   * @param progress receives ciphertext-independent plaintext byte counts as they are written
   * @return the number of plaintext bytes written
   * @throws AgeException if the input is empty, not age, encrypted to other keys, truncated or
   *     corrupted
   * @throws IOException if reading or writing fails
   */
  public static long decrypt(
      ReadableByteChannel in,
      String source,
      WritableByteChannel out,
      List<AgeIdentity> identities,
      LongConsumer progress)
      throws AgeException, IOException {
    try (ReadableByteChannel plaintext = open(in, source, identities)) {
      return ChannelCopier.copy(plaintext, out, progress);
    } catch (AgeStreamException e) {
      throw e.ageException();
    }
  }

  /**
   * Opens a channel that returns the plaintext of {@code in}. Its {@code read} throws {@link
   * AgeStreamException} on truncated or corrupted payload; closing it closes {@code in}.
   *
   * @throws AgeException if the input is empty, not age, encrypted to other keys, or its header is
   *     truncated or corrupted
   */
  public static ReadableByteChannel open(
      ReadableByteChannel in, String source, List<AgeIdentity> identities)
      throws AgeException, IOException {
    Objects.requireNonNull(in, "in must not be null");
    if (identities.isEmpty()) {
      throw new IllegalArgumentException("at least one identity is required");
    }
    CiphertextTracker tracker = new CiphertextTracker(in);
    ByteBuffer prefix = ByteBuffer.allocate(ARMOR_MAGIC.length);
    ChannelCopier.readFully(tracker, prefix);
    prefix.flip();
    if (!prefix.hasRemaining()) {
      throw new EmptyInputException(source);
    }
    boolean armored = startsWith(prefix, ARMOR_MAGIC);
    if (!armored && !startsWith(prefix, BINARY_MAGIC)) {
      if (isCutMagic(prefix, BINARY_MAGIC) || isCutMagic(prefix, ARMOR_MAGIC)) {
        throw TruncatedCiphertextException.header(source, null);
      }
      throw new NotAgeFileException(source);
    }
    List<RecipientStanzaReader> readers = readers(identities);
    ReadableByteChannel replay = new PrefixReplayChannel(prefix, tracker);
    if (armored) {
      ReadableByteChannel decrypting =
          readHeader(
              () -> new ArmoredDecryptingChannelFactory().newDecryptingChannel(replay, readers),
              tracker,
              source,
              identities.size());
      return new PayloadChannel(decrypting, tracker, source);
    }
    tracker.stopArmorFooterScan();
    return openBinary(replay, tracker, source, identities.size(), readers);
  }

  /**
   * Reads the binary header with jagged (stanzas, header MAC, payload key) and returns our reader
   * for the payload that follows. The header must fit in one sealed chunk, as jagged requires.
   */
  private static ReadableByteChannel openBinary(
      ReadableByteChannel input,
      CiphertextTracker tracker,
      String source,
      int identityCount,
      List<RecipientStanzaReader> readers)
      throws AgeException, IOException {
    ByteBuffer head = ByteBuffer.allocate(PayloadChannel.ENCRYPTED_CHUNK + 1);
    ChannelCopier.readFully(input, head);
    head.flip();
    SecretKey payloadKey =
        readHeader(
            () -> new StandardPayloadKeyReader().getPayloadKey(head, readers),
            tracker,
            source,
            identityCount);
    try {
      return new PayloadDecryptingChannel(input, payloadKey, head, source, head.position());
    } catch (GeneralSecurityException e) {
      destroy(payloadKey);
      throw new AgeException("ChaCha20-Poly1305 is not available to decrypt " + source, e);
    }
  }

  private static void destroy(SecretKey key) {
    try {
      key.destroy();
    } catch (DestroyFailedException e) {
      // Keys that cannot be destroyed are dropped here.
    }
  }

  /**
   * Reads an age header with jagged and turns its failures into classified {@link AgeException}s.
   */
  private static <T> T readHeader(
      HeaderReader<T> reader, CiphertextTracker tracker, String source, int identityCount)
      throws AgeException, IOException {
    try {
      return reader.read();
    } catch (UnsupportedRecipientStanzaException e) {
      throw new NoMatchingIdentityException(source, identityCount, e);
    } catch (ArmoredDecodingException e) {
      if (tracker.hasDataAfterArmorFooter()) {
        throw CorruptedCiphertextException.dataAfterArmor(source, e);
      }
      throw isArmorTruncated(tracker)
          ? TruncatedCiphertextException.header(source, e)
          : CorruptedCiphertextException.armor(source, e);
    } catch (PayloadException e) {
      throw TruncatedCiphertextException.header(source, e);
    } catch (GeneralSecurityException | RuntimeException e) {
      // jagged 1.0.0 throws BufferUnderflowException when the header ends at some offsets or
      // outgrows its buffer. Such input is damaged, so it is reported like a failed header.
      throw endsInsideHeader(tracker)
          ? TruncatedCiphertextException.header(source, e)
          : CorruptedCiphertextException.header(source, e);
    }
  }

  /** A jagged call that reads an age header. */
  @FunctionalInterface
  private interface HeaderReader<T> {
    T read() throws GeneralSecurityException, IOException;
  }

  /** Tells whether the input ended before the MAC line and the 16-byte payload nonce were whole. */
  private static boolean endsInsideHeader(CiphertextTracker tracker) {
    if (!tracker.endOfInput()) {
      return false;
    }
    return tracker.headerLength() < 0
        || tracker.bytesRead() < tracker.headerLength() + PayloadChannel.PAYLOAD_NONCE;
  }

  /** Armored input is truncated when it ended without the END line. */
  static boolean isArmorTruncated(CiphertextTracker tracker) {
    return tracker.endOfInput() && !tracker.sawArmorFooter();
  }

  private static List<RecipientStanzaReader> readers(List<AgeIdentity> identities)
      throws InvalidAgeKeyException {
    List<RecipientStanzaReader> readers = new ArrayList<>(identities.size());
    for (AgeIdentity identity : identities) {
      readers.add(identity.stanzaReader());
    }
    return readers;
  }

  /** Tells whether the whole (short) input is the beginning of {@code magic}. */
  private static boolean isCutMagic(ByteBuffer buffer, byte[] magic) {
    int length = buffer.remaining();
    return length < magic.length && buffer.equals(ByteBuffer.wrap(magic, 0, length));
  }

  private static boolean startsWith(ByteBuffer buffer, byte[] magic) {
    if (buffer.remaining() < magic.length) {
      return false;
    }
    return buffer.slice(buffer.position(), magic.length).equals(ByteBuffer.wrap(magic));
  }
}
