package org.hpcs.agent.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Persists one JSON file per job in a 0700 directory. Writes go to a temporary file that is synced
 * and then renamed over the old one, so a crash leaves either the old or the new state.
 */
public final class JobStateStore {
  private static final Logger LOG = LoggerFactory.getLogger(JobStateStore.class);
  private static final Set<PosixFilePermission> DIR_MODE =
      PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE_MODE =
      PosixFilePermissions.fromString("rw-------");

  private final Path dir;
  private final ObjectMapper mapper;

  /**
   * Opens the store, creating the directory 0700 if needed and tightening it if it is looser.
   *
   * @throws IOException when the directory cannot be created or is not a directory
   */
  public JobStateStore(Path dir) throws IOException {
    this.dir = dir;
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, DIR_MODE);
    this.mapper =
        new ObjectMapper()
            .registerModule(new Jdk8Module())
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  }

  /** Returns the file that contains a job's state. */
  public Path fileOf(long jobId) {
    return dir.resolve(jobId + ".json");
  }

  /** Writes a job's state atomically. */
  public void save(JobState state) throws IOException {
    Path target = fileOf(state.jobId());
    Path temp = dir.resolve("." + state.jobId() + ".json.tmp");
    byte[] json = mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(state);
    Files.deleteIfExists(temp);
    Files.createFile(temp, PosixFilePermissions.asFileAttribute(FILE_MODE));
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
      channel.write(java.nio.ByteBuffer.wrap(json));
      channel.force(true);
    }
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.deleteIfExists(temp);
      throw new IOException("state directory " + dir + " does not support atomic renames", e);
    }
    syncDirectory();
  }

  /** Deletes a job's state file; a missing file is fine. */
  public void delete(long jobId) throws IOException {
    Files.deleteIfExists(fileOf(jobId));
    syncDirectory();
  }

  /**
   * Loads every job state. A file that cannot be parsed is renamed to {@code <name>.corrupt} and
   * logged, so it is kept for inspection and never read again.
   */
  public List<JobState> loadAll() throws IOException {
    List<JobState> states = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
      for (Path file : files) {
        try {
          states.add(mapper.readValue(file.toFile(), JobState.class));
        } catch (IOException e) {
          Path aside = file.resolveSibling(file.getFileName() + ".corrupt");
          LOG.error(
              "job state file {} is unreadable and was moved to {}: {}",
              file,
              aside,
              e.getMessage());
          Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    return states;
  }

  private void syncDirectory() throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
