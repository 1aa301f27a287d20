package org.hpcs.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.hpcs.server.config.ValueChecks;

/** Reads secrets (tokens, passwords) from files that only their owner may read. */
final class SecretFiles {
  private SecretFiles() {}

  /**
   * Returns the file's content without surrounding whitespace.
   *
   * @throws IOException when the file is unreadable, empty or open to group or others
   */
  static String read(Path file, String what) throws IOException {
    Optional<String> problem = ValueChecks.privateFile(file);
    if (problem.isPresent()) {
      throw new IOException(what + ": " + problem.get());
    }
    String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
    if (secret.isEmpty()) {
      throw new IOException(what + " file " + file + " is empty");
    }
    return secret;
  }
}
