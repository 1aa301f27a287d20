package org.hpcs.common.crypto;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * File-to-file age encryption and decryption. The output appears only when the whole input was
 * processed; on any failure nothing is left at the output path or beside it.
 */
public final class AgeFiles {
  private AgeFiles() {}

  /**
   * Encrypts a file.
   *
   * @param replace whether an existing output file may be replaced
   * @return the number of plaintext bytes encrypted
   */
  public static long encrypt(
      Path in,
      Path out,
      List<AgeRecipient> recipients,
      boolean armor,
      boolean replace,
      LongConsumer progress)
      throws AgeException, IOException {
    try (FileChannel input = FileChannel.open(in, StandardOpenOption.READ);
        AtomicFileOutput output = AtomicFileOutput.create(out, replace)) {
      ReadableByteChannel named = new InputNamingChannel(input, in);
      long size = AgeEncryptor.encrypt(named, output.channel(), recipients, armor, progress);
      output.commit();
      return size;
    }
  }

  /**
   * Decrypts a file; binary and armored input are both accepted.
   *
   * @param replace whether an existing output file may be replaced
   * @return the number of plaintext bytes written
   */
  public static long decrypt(
      Path in, Path out, List<AgeIdentity> identities, boolean replace, LongConsumer progress)
      throws AgeException, IOException {
    try (FileChannel input = FileChannel.open(in, StandardOpenOption.READ);
        AtomicFileOutput output = AtomicFileOutput.create(out, replace)) {
      ReadableByteChannel named = new InputNamingChannel(input, in);
      long size =
          AgeDecryptor.decrypt(named, in.toString(), output.channel(), identities, progress);
      output.commit();
      return size;
    }
  }
}
