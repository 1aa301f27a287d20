package org.hpcs.client.vault;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.hpcs.client.HpcsException;

/**
 * The cached Vault token: a file readable only by its owner, created with mode 0600 from the start
 * (a temporary file in the same directory, renamed over the old one).
 */
public final class TokenCache {
  private TokenCache() {}

  /** Writes the token, replacing a previous one. */
  public static void write(Path file, String token) throws IOException {
    Path directory = file.toAbsolutePath().getParent();
    if (!Files.isDirectory(directory)) {
      Files.createDirectories(
          directory,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    Path temporary =
        Files.createTempFile(
            directory,
            ".vault-token.",
            ".partial",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.writeString(temporary, token + "\n", StandardCharsets.UTF_8);
      Files.move(
          temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  /**
   * Reads the token.
   *
   * @throws HpcsException if there is none, or if others may read the file
   */
  public static String read(Path file) throws HpcsException, IOException {
    try {
      Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
      if (mode.stream()
          .anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
        throw new HpcsException(
            "token file %s is accessible to other users (mode %s)"
                .formatted(file, PosixFilePermissions.toString(mode)),
            "delete it and run 'hpcs login' again; the token may have been read");
      }
      String token = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (token.isEmpty()) {
        throw new HpcsException("token file %s is empty".formatted(file), "run 'hpcs login'");
      }
      return token;
    } catch (NoSuchFileException e) {
      throw new HpcsException("not logged in: no token in %s".formatted(file), "run 'hpcs login'");
    }
  }
}
