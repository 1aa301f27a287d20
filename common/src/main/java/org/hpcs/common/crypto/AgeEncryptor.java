package org.hpcs.common.crypto;

import com.exceptionfactory.jagged.RecipientStanzaWriter;
import com.exceptionfactory.jagged.framework.armor.ArmoredEncryptingChannelFactory;
import com.exceptionfactory.jagged.framework.format.StandardPayloadKeyWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import javax.crypto.SecretKey;

/**
 * Streaming age encryption to X25519 recipients, binary or ASCII-armored. jagged writes the header
 * (file key, recipient stanzas, MAC and payload nonce); the binary payload is sealed by {@link
 * PayloadEncryptingChannel}, the armored one by jagged.
 */
public final class AgeEncryptor {
  private AgeEncryptor() {}

  /**
   * Encrypts {@code in} into {@code out} and closes {@code out}. The final chunk is written only
   * after the whole input was read: when reading fails, the binary output ends without it, so age
   * rejects it as truncated.
   *
   * @param armor whether to write the PEM-style ASCII armor instead of binary
   * @param progress receives plaintext byte counts as they are consumed
   * @return the number of plaintext bytes read
   */
  public static long encrypt(
      ReadableByteChannel in,
      WritableByteChannel out,
      List<AgeRecipient> recipients,
      boolean armor,
      LongConsumer progress)
      throws AgeException, IOException {
    WritableByteChannel encrypting = open(out, recipients, armor);
    long size;
    try {
      size = ChannelCopier.copy(in, encrypting, progress);
    } catch (IOException | RuntimeException | Error e) {
      abort(encrypting, e);
      throw e;
    }
    encrypting.close();
    return size;
  }

  /**
   * Closes after a failure; a binary payload then gets no last chunk, so it cannot pass as whole.
   */
  private static void abort(WritableByteChannel encrypting, Throwable failure) {
    try {
      if (encrypting instanceof PayloadEncryptingChannel payload) {
        payload.abort();
      } else {
        encrypting.close();
      }
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }

  /**
   * Opens a channel that encrypts what is written to it into {@code out}. Closing it writes the
   * final chunk and closes {@code out}; a channel that is not closed leaves an incomplete file.
   */
  public static WritableByteChannel open(
      WritableByteChannel out, List<AgeRecipient> recipients, boolean armor)
      throws AgeException, IOException {
    if (recipients.isEmpty()) {
      throw new IllegalArgumentException("at least one recipient is required");
    }
    List<RecipientStanzaWriter> writers = new ArrayList<>(recipients.size());
    for (AgeRecipient recipient : recipients) {
      writers.add(recipient.stanzaWriter());
    }
    try {
      if (armor) {
        return new ArmoredEncryptingChannelFactory().newEncryptingChannel(out, writers);
      }
      ByteBuffer header = ByteBuffer.allocate(PayloadChannel.ENCRYPTED_CHUNK);
      SecretKey payloadKey = new StandardPayloadKeyWriter().writeFileHeader(header, writers);
      header.flip();
      while (header.hasRemaining()) {
        out.write(header);
      }
      return new PayloadEncryptingChannel(out, payloadKey);
    } catch (GeneralSecurityException e) {
      throw new AgeException("age header for " + recipients + " could not be written", e);
    }
  }
}
