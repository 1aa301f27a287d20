package org.hpcs.common.bundle;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.List;
import java.util.function.LongConsumer;
import org.hpcs.common.crypto.AgeEncryptor;
import org.hpcs.common.crypto.AgeException;
import org.hpcs.common.crypto.AgeRecipient;
import org.hpcs.common.crypto.ChannelCopier;
import org.hpcs.common.crypto.DigestingReadableChannel;
import org.hpcs.common.crypto.DigestingWritableChannel;
import org.hpcs.common.crypto.Sha256;
import org.hpcs.common.tar.TarException;
import org.hpcs.common.tar.TarWriter;

/** Encrypts the payload of a container or data bundle and digests both sides on the way. */
public final class BundlePayloads {
  private BundlePayloads() {}

  /**
   * Encrypts a SIF image into {@code out}, which is closed at the end.
   *
   * @throws BundleException if the file is not a SIF image
   */
  public static EncryptedPayload encryptImage(
      Path sif, WritableByteChannel out, AgeRecipient recipient, LongConsumer progress)
      throws BundleException, AgeException, IOException {
    SifImages.check(sif);
    DigestingWritableChannel ciphertext = new DigestingWritableChannel(out);
    try (FileChannel file = FileChannel.open(sif, StandardOpenOption.READ)) {
      DigestingReadableChannel plaintext = new DigestingReadableChannel(file);
      AgeEncryptor.encrypt(plaintext, ciphertext, List.of(recipient), false, progress);
      return new EncryptedPayload(digest(plaintext.result()), digest(ciphertext.result()));
    }
  }

  /**
   * Encrypts a directory or a single file as a tar stream into {@code out}, which is closed at the
   * end.
   *
   * @throws TarException if the tree contains special files or links pointing out of it
   */
  public static EncryptedPayload encryptData(
      Path source, WritableByteChannel out, AgeRecipient recipient, LongConsumer progress)
      throws TarException, AgeException, IOException {
    DigestingWritableChannel ciphertext = new DigestingWritableChannel(out);
    MessageDigest plainDigest = Sha256.newDigest();
    long plainSize;
    try (WritableByteChannel encrypting =
        AgeEncryptor.open(ciphertext, List.of(recipient), false)) {
      OutputStream buffered =
          new BufferedOutputStream(Channels.newOutputStream(encrypting), ChannelCopier.BUFFER_SIZE);
      CountingDigestStream counting = new CountingDigestStream(buffered, plainDigest, progress);
      TarWriter.write(source, counting);
      counting.flush();
      plainSize = counting.count;
    }
    ContentDigest plaintext = new ContentDigest(Sha256.hex(plainDigest.digest()), plainSize);
    return new EncryptedPayload(plaintext, digest(ciphertext.result()));
  }

  private static ContentDigest digest(Sha256.Result result) {
    return new ContentDigest(result.hex(), result.size());
  }

  /** Digests and counts bytes on their way to the encrypting stream. */
  private static final class CountingDigestStream extends FilterOutputStream {
    private final MessageDigest digest;
    private final LongConsumer progress;
    private long count;

    CountingDigestStream(OutputStream out, MessageDigest digest, LongConsumer progress) {
      super(out);
      this.digest = digest;
      this.progress = progress;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      out.write(bytes, offset, length);
      digest.update(bytes, offset, length);
      count += length;
      progress.accept(length);
    }
  }
}
