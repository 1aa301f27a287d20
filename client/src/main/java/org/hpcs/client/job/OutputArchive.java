package org.hpcs.client.job;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.regex.Pattern;
import org.hpcs.common.crypto.AgeDecryptor;
import org.hpcs.common.crypto.AgeException;
import org.hpcs.common.crypto.AgeIdentity;
import org.hpcs.common.crypto.AgeStreamException;
import org.hpcs.common.tar.TarException;
import org.hpcs.common.tar.TarExtractor;

/**
 * Decrypts and extracts the output parts of a job, one per node, {@code
 * hpcs-output-<jobid>.<node>.tar.age}: age files whose plaintext is a tar stream with the node's
 * directory at the top. Nothing is stored in between: the ciphertext streams through the decryptor
 * into the tar extractor.
 */
public final class OutputArchive {
  private static final int BUFFER_SIZE = 1 << 20;
  private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

  private OutputArchive() {}

  /**
   * Returns the node name of a per-node output part {@code hpcs-output-<jobid>.<node>.tar.age}, or
   * empty when {@code fileName} is not a part of this job.
   */
  public static Optional<String> partNode(String jobId, String fileName) {
    String prefix = "hpcs-output-" + jobId + ".";
    String suffix = ".tar.age";
    if (!fileName.startsWith(prefix) || !fileName.endsWith(suffix)) {
      return Optional.empty();
    }
    String node = fileName.substring(prefix.length(), fileName.length() - suffix.length());
    return NODE_NAME.matcher(node).matches() ? Optional.of(node) : Optional.empty();
  }

  /**
   * Decrypts {@code ciphertext} and extracts it into {@code target}, which must be missing or
   * empty. The whole age stream is read and authenticated before the extraction counts as done; on
   * any failure the extracted files are removed.
   *
   * @param source the file's name for messages
   * @param progress receives the number of ciphertext bytes read so far
   */
  public static TarExtractor.Result extract(
      InputStream ciphertext,
      String source,
      List<AgeIdentity> identities,
      Path target,
      LongConsumer progress)
      throws AgeException, TarException, IOException {
    try (ReadableByteChannel plaintext =
            AgeDecryptor.open(
                Channels.newChannel(new CountingInputStream(ciphertext, progress)),
                source,
                identities);
        InputStream in = new BufferedInputStream(Channels.newInputStream(plaintext), BUFFER_SIZE)) {
      // Reading to the end authenticates the last chunk and finds truncation after the tar end.
      return TarExtractor.extract(in, target, () -> in.transferTo(OutputStream.nullOutputStream()));
    } catch (AgeStreamException e) {
      throw e.ageException();
    }
  }

  /** Reports the running byte count of a stream. */
  private static final class CountingInputStream extends FilterInputStream {
    private final LongConsumer progress;
    private long count;

    CountingInputStream(InputStream in, LongConsumer progress) {
      super(in);
      this.progress = progress;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        progress.accept(++count);
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      if (n > 0) {
        count += n;
        progress.accept(count);
      }
      return n;
    }
  }
}
