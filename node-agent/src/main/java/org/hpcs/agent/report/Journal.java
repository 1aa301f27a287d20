package org.hpcs.agent.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends every job event as one JSON line to {@code journal.jsonl} in the state directory (mode
 * 0600). It is the node's own record of what happened, also when no server is configured.
 */
public final class Journal implements Reporter {
  private static final Logger LOG = LoggerFactory.getLogger(Journal.class);

  private final Path file;
  private final ObjectMapper mapper =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  /** Creates the journal at {@code file}. */
  public Journal(Path file) {
    this.file = file;
  }

  @Override
  public synchronized void report(JobEvent event) {
    try {
      if (!Files.exists(file)) {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
      byte[] line =
          (mapper.writeValueAsString(event) + "\n")
              .getBytes(java.nio.charset.StandardCharsets.UTF_8);
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.APPEND)) {
        channel.write(ByteBuffer.wrap(line));
      }
    } catch (IOException e) {
      LOG.error(
          "writing job {} event {} to journal {} failed: {}",
          event.jobId(),
          event.event(),
          file,
          e.getMessage());
    }
  }
}
