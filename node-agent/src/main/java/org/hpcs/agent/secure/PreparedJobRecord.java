package org.hpcs.agent.secure;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The record from which a new agent process takes over a job that an earlier one prepared: the job
 * user, where the output goes and to whom, the image and the mounts. It contains no secret (the
 * output recipient is a public key) and lives in the job's root-only state directory, so it goes
 * when the workspace is torn down.
 *
 * @param jobId the Slurm job id
 * @param user the job user's login name
 * @param uid the job user's uid
 * @param gid the job user's primary gid
 * @param workDir the job's working directory, where the output part is written
 * @param outputRecipient the owner's age recipient for the output
 * @param runtime the name of the container runtime that prepared the container
 * @param image the decrypted SIF
 * @param imageSha256 the SIF's SHA-256 from the signed manifest
 * @param input the input mount
 * @param output the output mount
 * @param encryptedMounts the workspace's gocryptfs mounts, in the order they were made
 * @param otherMounts the runtime's mounts in the workspace, in the order they were made
 */
record PreparedJobRecord(
    long jobId,
    String user,
    int uid,
    int gid,
    String workDir,
    String outputRecipient,
    String runtime,
    String image,
    String imageSha256,
    String input,
    String output,
    List<String> encryptedMounts,
    List<String> otherMounts) {
  /** The record's file name in the job's state directory. */
  static final String FILE = "prepared.json";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  /** Rejects missing values and copies the lists. */
  PreparedJobRecord {
    Objects.requireNonNull(user, "user must not be null");
    Objects.requireNonNull(workDir, "workDir must not be null");
    Objects.requireNonNull(outputRecipient, "outputRecipient must not be null");
    Objects.requireNonNull(runtime, "runtime must not be null");
    Objects.requireNonNull(image, "image must not be null");
    Objects.requireNonNull(imageSha256, "imageSha256 must not be null");
    Objects.requireNonNull(input, "input must not be null");
    Objects.requireNonNull(output, "output must not be null");
    encryptedMounts = List.copyOf(encryptedMounts);
    otherMounts = List.copyOf(otherMounts);
  }

  /**
   * Writes the record to {@code stateDir} with mode 0600: to a temporary file that is synced and
   * then renamed, so a crash leaves the whole record or none.
   */
  void write(Path stateDir) throws IOException {
    Path temp = stateDir.resolve("." + FILE + ".tmp");
    Files.deleteIfExists(temp);
    Files.createFile(
        temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(JSON.writeValueAsBytes(this)));
      channel.force(true);
    }
    Files.move(temp, stateDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Reads the record of a job from its state directory.
   *
   * @return empty when the job has no record (it was prepared by an agent without records, or its
   *     preparation did not finish)
   * @throws IOException when the file exists but cannot be read or parsed
   */
  static Optional<PreparedJobRecord> read(Path stateDir) throws IOException {
    Path file = stateDir.resolve(FILE);
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    return Optional.of(JSON.readValue(file.toFile(), PreparedJobRecord.class));
  }
}
