package org.hpcs.agent.secure;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.hpcs.agent.job.PipelineException;
import org.hpcs.agent.userio.UserIdentity;
import org.hpcs.agent.userio.UserIo;
import org.hpcs.agent.userio.UserIoException;
import org.hpcs.common.crypto.AgeEncryptor;
import org.hpcs.common.crypto.AgeException;
import org.hpcs.common.crypto.AgeRecipient;
import org.hpcs.common.crypto.ChannelCopier;
import org.hpcs.common.tar.TarException;
import org.hpcs.common.tar.TarWriter;

/**
 * Ships a node's output at job end: the output mount as a tar stream with entries {@code
 * <node>/...}, age-encrypted to the owner's recipient, written to {@code
 * <workdir>/hpcs-output-<job>.<node>.tar.age}. Every node of a job writes its own part; the client
 * fetches and merges all parts.
 *
 * <p>All of it runs with the job user's file-system rights: the output tree belongs to the user,
 * who could swap a directory for a symbolic link while it is read, and the working directory is the
 * user's too. The file is written under a temporary name and renamed when complete, so a reader
 * never sees a partial part.
 */
final class OutputShipper {
  private OutputShipper() {}

  /**
   * Result of shipping one output part.
   *
   * @param file the encrypted output part
   * @param bytes its size
   * @param skipped entries left out, each with the reason
   */
  record Shipped(Path file, long bytes, List<String> skipped) {}

  /** Returns the name of a node's output part. */
  static String fileName(long jobId, String node) {
    return "hpcs-output-" + jobId + "." + node + ".tar.age";
  }

  /**
   * Encrypts {@code outputDir} into the working directory.
   *
   * @throws PipelineException naming the target and the cause; the output is then lost
   */
  static Shipped ship(
      UserIdentity user,
      Path outputDir,
      Path workDir,
      long jobId,
      String node,
      AgeRecipient recipient)
      throws PipelineException {
    Path target = workDir.resolve(fileName(jobId, node));
    try {
      return UserIo.call(user, () -> write(outputDir, target, node, recipient));
    } catch (IOException | UserIoException e) {
      throw new PipelineException(
          "writing the encrypted output "
              + target
              + " of job "
              + jobId
              + " on "
              + node
              + " failed: "
              + describe(e)
              + "; the output of this node is lost: check that user "
              + user.name()
              + " can write to "
              + workDir,
          e);
    }
  }

  private static Shipped write(Path outputDir, Path target, String node, AgeRecipient recipient)
      throws IOException {
    Path temp =
        target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".part");
    List<String> skipped = new ArrayList<>();
    boolean done = false;
    try {
      try (FileChannel file =
              FileChannel.open(
                  temp,
                  Set.of(
                      StandardOpenOption.CREATE_NEW,
                      StandardOpenOption.WRITE,
                      LinkOption.NOFOLLOW_LINKS),
                  PosixFilePermissions.asFileAttribute(
                      PosixFilePermissions.fromString("rw-------")));
          OutputStream out =
              new BufferedOutputStream(
                  Channels.newOutputStream(
                      AgeEncryptor.open(new SyncOnClose(file), List.of(recipient), false)),
                  ChannelCopier.BUFFER_SIZE)) {
        TarWriter.writeDirectory(outputDir, node, out, skipped::add);
      } catch (TarException | AgeException e) {
        throw new IOException(e.getMessage(), e);
      }
      long size = Files.size(temp);
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      done = true;
      return new Shipped(target, size, List.copyOf(skipped));
    } finally {
      if (!done) {
        Files.deleteIfExists(temp);
      }
    }
  }

  /** Returns the cause in words; file system exceptions carry only the path as their message. */
  private static String describe(Exception e) {
    return switch (e) {
      case AccessDeniedException denied -> denied.getFile() + ": permission denied";
      case NoSuchFileException missing -> missing.getFile() + ": not found";
      default -> e.getMessage();
    };
  }

  /** Flushes the file to disk before closing it, so the rename publishes complete content. */
  private static final class SyncOnClose implements WritableByteChannel {
    private final FileChannel file;

    SyncOnClose(FileChannel file) {
      this.file = file;
    }

    @Override
    public int write(ByteBuffer source) throws IOException {
      return file.write(source);
    }

    @Override
    public boolean isOpen() {
      return file.isOpen();
    }

    @Override
    public void close() throws IOException {
      try (file) {
        file.force(true);
      }
    }
  }
}
