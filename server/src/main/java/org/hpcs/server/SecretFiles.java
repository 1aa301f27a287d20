package org.hpcs.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/** Reads secrets (tokens, passwords) from files that only their owner may read. */
final class SecretFiles {
  private static final Set<PosixFilePermission> GROUP_OR_OTHER =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE);

  private SecretFiles() {}

  /**
   * Returns the file's content without surrounding whitespace.
   *
   * @throws IOException when the file is unreadable, empty or open to group or others
   */
  static String read(Path file, String what) throws IOException {
    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
    if (permissions.stream().anyMatch(GROUP_OR_OTHER::contains)) {
      throw new IOException(
          what
              + " file "
              + file
              + " is readable or writable by group or others: chmod 600 "
              + file);
    }
    String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
    if (secret.isEmpty()) {
      throw new IOException(what + " file " + file + " is empty");
    }
    return secret;
  }
}
