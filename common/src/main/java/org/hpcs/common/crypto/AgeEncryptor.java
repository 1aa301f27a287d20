package org.hpcs.common.crypto;

import com.exceptionfactory.jagged.RecipientStanzaWriter;
import com.exceptionfactory.jagged.framework.armor.ArmoredEncryptingChannelFactory;
import com.exceptionfactory.jagged.framework.stream.StandardEncryptingChannelFactory;
import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/** Streaming age encryption to X25519 recipients, binary or ASCII-armored. */
public final class AgeEncryptor {
  private AgeEncryptor() {}

  /**
   * Encrypts {@code in} into {@code out} and closes {@code out}, which writes the final chunk.
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
    try (WritableByteChannel encrypting = open(out, recipients, armor)) {
      return ChannelCopier.copy(in, encrypting, progress);
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
    StandardEncryptingChannelFactory factory =
        armor ? new ArmoredEncryptingChannelFactory() : new StandardEncryptingChannelFactory();
    try {
      return factory.newEncryptingChannel(out, writers);
    } catch (GeneralSecurityException e) {
      throw new AgeException("age header for " + recipients + " could not be written", e);
    }
  }
}
